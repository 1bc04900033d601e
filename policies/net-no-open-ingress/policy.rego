package erlmcp.controls.net_no_open_ingress

import data.lib.k8s

obj := input.review.object

open_cidrs := {"0.0.0.0/0", "::/0"}

ingress_rules[i] := rule if {
	obj.kind == "NetworkPolicy"
	some i, rule in object.get(obj, ["spec", "ingress"], [])
}

violation contains v if {
	some i, rule in ingress_rules
	not rule.from
	v := out("ingressWithoutFrom", i, {})
}

violation contains v if {
	some i, rule in ingress_rules
	some peer in rule.from
	count(peer) == 0
	v := out("emptyPeer", i, {})
}

violation contains v if {
	some i, rule in ingress_rules
	some peer in rule.from
	count(object.get(peer, "namespaceSelector", {"x": 1})) == 0
	not peer.podSelector
	v := out("anyNamespace", i, {})
}

violation contains v if {
	some i, rule in ingress_rules
	some peer in rule.from
	open_cidrs[peer.ipBlock.cidr]
	v := out("openIpBlock", i, {"cidr": peer.ipBlock.cidr})
}

out(message_id, i, extra) := {
	"msg": concat("", ["net-no-open-ingress: ", message_id, " in ingress rule ", format_int(i, 10), " of NetworkPolicy ", k8s.name(obj)]),
	"details": {
		"messageId": message_id,
		"data": object.union({"policy": k8s.name(obj), "rule": i}, extra),
		"resource": k8s.ref(obj),
	},
}
