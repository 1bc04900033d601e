package erlmcp.controls.bak_backup_schedule

import data.lib.k8s
import data.lib.violation

control_id := "bak-backup-schedule"

rpo := object.get(input, ["parameters", "rpoMinutes"], 60)

label := "erlmcp.io/backup-for"

backups := [c |
	some c in input.resources
	c.kind == "CronJob"
	k8s.labels(c)[label]
]

violation contains violation.at(control_id, "noBackupCronJob", s, ["spec", "volumeClaimTemplates"], {"statefulset": k8s.name(s)}) if {
	some s in input.resources
	s.kind == "StatefulSet"
	count(object.get(s, ["spec", "volumeClaimTemplates"], [])) > 0
	not has_backup(s)
}

# The [namespace, statefulset] pairs the backups are for, built once: a lookup per StatefulSet.
backup_targets := {[k8s.namespace(c), k8s.labels(c)[label]] | some c in backups}

# A lookup, not `in`: on the wasm target `in` scans the set.
has_backup(s) if backup_targets[[k8s.namespace(s), k8s.name(s)]]

violation contains violation.at(control_id, "concurrencyNotForbid", c, ["spec", "concurrencyPolicy"], cron_data(c, {"policy": policy})) if {
	some c in backups
	policy := object.get(c, ["spec", "concurrencyPolicy"], "Allow")
	policy != "Forbid"
}

violation contains violation.at(control_id, "missingStartingDeadline", c, ["spec", "startingDeadlineSeconds"], cron_data(c, {})) if {
	some c in backups
	object.get(c, ["spec", "startingDeadlineSeconds"], null) == null
}

violation contains violation.at(control_id, "missingBackoffLimit", c, ["spec", "jobTemplate", "spec", "backoffLimit"], cron_data(c, {})) if {
	some c in backups
	object.get(c, ["spec", "jobTemplate", "spec", "backoffLimit"], null) == null
}

violation contains violation.at(control_id, "missingActiveDeadline", c, ["spec", "jobTemplate", "spec", "activeDeadlineSeconds"], cron_data(c, {})) if {
	some c in backups
	object.get(c, ["spec", "jobTemplate", "spec", "activeDeadlineSeconds"], null) == null
}

violation contains violation.at(control_id, "backupSuspended", c, ["spec", "suspend"], cron_data(c, {})) if {
	some c in backups
	c.spec.suspend == true
}

violation contains violation.at(control_id, "scheduleExceedsRpo", c, ["spec", "schedule"], cron_data(c, {"schedule": schedule(c), "interval": minutes, "rpoMinutes": rpo})) if {
	some i, c in backups
	minutes := intervals[i]
	minutes > rpo
}

violation contains violation.at(control_id, "scheduleUnparseable", c, ["spec", "schedule"], cron_data(c, {"schedule": schedule(c)})) if {
	some i, c in backups
	not intervals[i]
}

# The interval of each backup (by position) that has one, computed once (the wasm target memoizes no
# function, and both rules above read it).
intervals := {i: minutes |
	some i, c in backups
	minutes := interval(schedule(c))
}

schedule(c) := s if {
	s := c.spec.schedule
	is_string(s)
} else := ""

macros := {
	"@hourly": 60, "@daily": 1440, "@midnight": 1440, "@weekly": 10080,
	"@monthly": 44640, "@yearly": 527040, "@annually": 527040,
}

# Largest gap in minutes between consecutive runs over a day (wrapping past midnight).
interval(s) := macros[trim_space(s)]

interval(s) := max(array.concat(gaps, [(times[0] + 1440) - times[count(times) - 1]])) if {
	fields := cron_fields(trim_space(s))
	count(fields) == 5
	every f in array.slice(fields, 2, 5) {
		f in {"*", "?"}
	}
	hours := values(fields[1], 23)
	minutes := values(fields[0], 59)
	times := sort({t | some h in hours; some m in minutes; t := (h * 60) + m})
	gaps := [gap | some i, t in times; i > 0; gap := t - times[i - 1]]
}

# The fields of a trimmed schedule, as regex.split(`\s+`, s) gives them (RE2's \s: tab, newline, form
# feed, carriage return, space), without a regex: the wasm target compiles a pattern on every call.
cron_fields(s) := [f |
	some f in split(strings.replace_n({"\t": " ", "\n": " ", "\f": " ", "\r": " "}, s), " ")
	f != ""
]

values(f, top) := numbers.range(0, top) if f == "*"

# `*/N` (^\*/[0-9]+$).
values(f, top) := [v | some v in numbers.range(0, top); v % n == 0] if {
	startswith(f, "*/")
	digits(substring(f, 2, -1))
	n := to_number(substring(f, 2, -1))
	n > 0
}

# A comma list of numbers (^[0-9]+(,[0-9]+)*$).
values(f, top) := vs if {
	parts := split(f, ",")
	every x in parts {
		digits(x)
	}
	vs := [to_number(x) | some x in parts]
	every v in vs {
		v <= top
	}
}

# One or more ASCII digits and nothing else.
digits(x) if {
	x != ""
	trim_left(x, "0123456789") == ""
}

cron_data(c, extra) := object.union({"cronjob": k8s.name(c)}, extra)
