package erlmcp.controls.bak_backup_schedule_test

import data.erlmcp.controls.bak_backup_schedule as control

sts := {
	"apiVersion": "apps/v1",
	"kind": "StatefulSet",
	"metadata": {"name": "erlmcp", "namespace": "erlmcp"},
	"spec": {"volumeClaimTemplates": [{"metadata": {"name": "data"}}]},
}

cron(spec) := {
	"apiVersion": "batch/v1",
	"kind": "CronJob",
	"metadata": {"name": "backup", "namespace": "erlmcp", "labels": {"erlmcp.io/backup-for": "erlmcp"}},
	"spec": object.union(
		{
			"schedule": "*/30 * * * *",
			"concurrencyPolicy": "Forbid",
			"startingDeadlineSeconds": 300,
			"jobTemplate": {"spec": {"backoffLimit": 2, "activeDeadlineSeconds": 600}},
		},
		spec,
	),
}

run(resources) := {v.details.messageId | some v in control.violation with input as {"resources": resources}}

test_guarded_backup_passes if {
	run([sts, cron({})]) == set()
}

test_statefulset_without_volumes_needs_none if {
	run([object.remove(sts, ["spec"])]) == set()
}

test_missing_backup_fails if {
	run([sts]) == {"noBackupCronJob"}
}

test_backup_for_other_statefulset_fails if {
	run([sts, object.union(cron({}), {"metadata": {"labels": {"erlmcp.io/backup-for": "other"}}})]) == {"noBackupCronJob"}
}

test_unguarded_backup_fails if {
	run([sts, object.union(object.remove(cron({}), ["spec"]), {"spec": {"schedule": "@hourly", "suspend": true}})]) == {
		"concurrencyNotForbid", "missingStartingDeadline", "missingBackoffLimit", "missingActiveDeadline", "backupSuspended",
	}
}

test_slow_schedule_fails if {
	run([sts, cron({"schedule": "0 9,17 * * *"})]) == {"scheduleExceedsRpo"}
}

test_rpo_param if {
	count(control.violation) == 0 with input as {"resources": [sts, cron({"schedule": "@daily"})], "parameters": {"rpoMinutes": 1440}}
}

test_unparseable_schedules_fail if {
	every s in ["0 3 * * 0", "0 24 * * *", "*/0 * * * *", "0 8-18 * * *", "@every 1h", "", "x"] {
		run([sts, cron({"schedule": s})]) == {"scheduleUnparseable"}
	}
}

test_missing_schedule_unparseable if {
	run([sts, object.union(object.remove(cron({}), ["spec"]), {"spec": object.remove(cron({}).spec, ["schedule"])})]) == {"scheduleUnparseable"}
}

test_intervals if {
	control.interval("*/15 * * * *") == 15
	control.interval("0 * * * *") == 60
	control.interval("0 */2 * * *") == 120
	control.interval("0 3 * * *") == 1440
	control.interval("*/7 * * * ?") == 7
	control.interval("0,30 * * * *") == 30
	control.interval("@daily") == 1440
}

located(resources) := {[v.details.messageId, v.details.resource.kind, v.details.path] | some v in control.violation with input as {"resources": resources}}

test_paths_point_at_the_cronjob_field_to_change if {
	located([sts]) == {["noBackupCronJob", "StatefulSet", ["spec", "volumeClaimTemplates"]]}
	unguarded := json.remove(cron({"concurrencyPolicy": "Allow", "suspend": true, "schedule": "0 3 * * *"}), ["spec/startingDeadlineSeconds", "spec/jobTemplate/spec/backoffLimit", "spec/jobTemplate/spec/activeDeadlineSeconds"])
	located([sts, unguarded]) == {
		["concurrencyNotForbid", "CronJob", ["spec", "concurrencyPolicy"]],
		["missingStartingDeadline", "CronJob", ["spec"]],
		["missingBackoffLimit", "CronJob", ["spec", "jobTemplate", "spec"]],
		["missingActiveDeadline", "CronJob", ["spec", "jobTemplate", "spec"]],
		["backupSuspended", "CronJob", ["spec", "suspend"]],
		["scheduleExceedsRpo", "CronJob", ["spec", "schedule"]],
	}
	located([sts, json.remove(cron({}), ["spec/schedule"])]) == {["scheduleUnparseable", "CronJob", ["spec"]]}
}

# The schedule is read without regex builtins (the wasm target compiles a pattern on every call); the
# reading must be the one the patterns gave: fields split at RE2 \s runs, `*/N` and comma lists of digits.
hostile_schedules := [
	"*/15\t*\t*\t*\t*", "0\n*/2\r*\f* *", "  0   3  * * *  ", "0\u000b3 * * *", "0\u00a03 * * *", "0 3 * *",
	"*/ * * * *", "*/5x * * * *", "*/+5 * * * *", "*/-5 * * * *", "*/05 * * * *", "*/5/2 * * * *",
	"00,30 * * * *", "1,,2 * * * *", ",5 * * * *", "5, * * * *", "+5 * * * *", "-5 * * * *", "1e1 * * * *",
	"0x1 * * * *", "٣ * * * *", "0 3 * * ?", "@hourly", " @daily\t", "",
]

test_schedule_fields_split_as_the_pattern_did if {
	every s in hostile_schedules {
		fields_as_split(trim_space(s))
	}
}

# regex.split gives [""] for "", which has no 5 fields either.
fields_as_split("") if count(control.cron_fields("")) != 5

fields_as_split(t) if {
	t != ""
	control.cron_fields(t) == regex.split(`\s+`, t)
}

pattern_values(f, top) := numbers.range(0, top) if f == "*"

pattern_values(f, top) := [v | some v in numbers.range(0, top); v % n == 0] if {
	regex.match(`^\*/[0-9]+$`, f)
	n := to_number(substring(f, 2, -1))
	n > 0
}

pattern_values(f, top) := vs if {
	regex.match(`^[0-9]+(,[0-9]+)*$`, f)
	vs := [to_number(x) | some x in split(f, ",")]
	every v in vs {
		v <= top
	}
}

test_field_values_as_the_patterns_gave if {
	fields := {f | some s in hostile_schedules; some f in split(s, " ")}
	every f in fields {
		[x | x := control.values(f, 59)] == [x | x := pattern_values(f, 59)]
	}
}
