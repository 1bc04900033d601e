# NetworkPolicy semantics shared by the net-* set-scope controls (mirrors src/k8s/network-model.ts).
package lib.net

import data.lib.k8s

network_policies := [np | some np in input.resources; np.kind == "NetworkPolicy"]

workloads := [w | some w in input.resources; k8s.is_workload(w)]

# Effective policyTypes: as written, else (missing, null or [], which the API server defaults)
# Ingress plus Egress when egress rules exist.
policy_types(np) := {t | some t in np.spec.policyTypes} if {
	count(array_or_empty(object.get(np, ["spec", "policyTypes"], []))) > 0
} else := {"Ingress", "Egress"} if {
	count(array_or_empty(object.get(np, ["spec", "egress"], []))) > 0
} else := {"Ingress"}

# The policy isolates workload w: its podSelector selects every pod w creates, whatever values the
# controller gives the labels it adds (pod-template-hash, statefulset.kubernetes.io/pod-name...).
isolates(np, w) if {
	k8s.namespace(np) == k8s.namespace(w)
	k8s.selects_all_pods(pod_selector(np), w)
}

# The policy may select some pod of workload w: its rules then allow traffic to or from that pod.
may_select(np, w) if {
	k8s.namespace(np) == k8s.namespace(w)
	k8s.may_select_pods(pod_selector(np), w)
}

# The policy's podSelector; a missing one is the empty selector (every pod of the namespace).
pod_selector(np) := np.spec.podSelector if present(np.spec, "podSelector")

else := {}

container_ports(w) := [p |
	some c in k8s.all_containers(w)
	some p in object.get(c, "ports", [])
	is_number(p.containerPort)
]

# Container port numbers of workload w named `name` for `protocol`.
named_port(w, name, protocol) := {p.containerPort |
	some p in container_ports(w)
	p.name == name
	object.get(p, "protocol", "TCP") == protocol
}

# Whether an ingress/egress rule of a policy selecting w opens a TCP port of `ports` on w:
# no ports at all, an entry without port, a range (endPort) holding one, or a name resolving to one on w.
rule_opens(rule, w, ports) if rule_opens_on(rule, container_ports(w), ports)

# rule_opens for a workload whose container_ports the caller read once (`cports`): container_ports
# copies every container (lib.k8s all_containers), too much to repeat per rule and workload.
rule_opens_on(rule, _, _) if rule_all_ports(rule)

rule_opens_on(rule, cports, ports) if {
	some p in array_or_empty(object.get(rule, "ports", []))
	protocol(p) == "TCP"
	port_entry_opens(p, cports, ports)
}

# The protocol of a ports entry (TCP when unset).
protocol(p) := object.get(p, "protocol", "TCP") if present(p, "protocol")

else := "TCP"

port_entry_opens(p, _, _) if port_entry_all_ports(p)

port_entry_opens(p, _, ports) if {
	is_number(p.port)
	hi := end_port(p)
	some n in ports
	n >= p.port
	n <= hi
}

# The last port of a numeric entry: its endPort when set, else the port itself.
end_port(p) := p.endPort if is_number(p.endPort)

else := p.port

port_entry_opens(p, cports, ports) if {
	is_string(p.port)
	some cp in cports
	cp.name == p.port
	object.get(cp, "protocol", "TCP") == "TCP"
	ports[cp.containerPort]
}

# --- Empty means all (docs/network-model.md) ---

# A present, non-null field: JSON null is unset.
present(obj, key) if object.get(obj, key, null) != null

# The peers of a rule (`from` or `to`); a missing or null list is no list.
rule_peers(rule, field) := object.get(rule, field, []) if is_array(object.get(rule, field, []))

else := []

# A rule without peers (`from`/`to` missing, null or []) admits every source or destination.
rule_admits_all_peers(rule, field) if count(rule_peers(rule, field)) == 0

# An empty peer `{}` (no ipBlock, namespaceSelector or podSelector) is every source or destination.
empty_peer(peer) if {
	not present(peer, "ipBlock")
	not present(peer, "namespaceSelector")
	not present(peer, "podSelector")
}

# A label selector with no matchLabels entries and no matchExpressions (`{}`, `{matchLabels: {}}`) selects everything.
# An invalid selector selects nothing (lib/k8s selector_requirements is undefined for it).
selects_everything(selector) if count(k8s.selector_requirements(selector)) == 0

array_or_empty(x) := x if is_array(x)

else := []

# A namespace selector that any new namespace matches, whatever its name: one carrying only the
# kubernetes.io/metadata.name label the API server sets. {}, and also requirements that only exclude:
# NotIn (of any key), Exists on that label, DoesNotExist on any other key.
selects_every_namespace(selector) if {
	reqs := k8s.selector_requirements(selector)
	every r in reqs {
		new_namespace_holds(r)
	}
}

new_namespace_holds(r) if r.operator == "NotIn"

new_namespace_holds(r) if {
	r.operator == "Exists"
	r.key == "kubernetes.io/metadata.name"
}

new_namespace_holds(r) if {
	r.operator == "DoesNotExist"
	r.key != "kubernetes.io/metadata.name"
}

# A pod selector that any new pod matches, a pod without labels: {}, or requirements all NotIn or DoesNotExist.
selects_every_pod(selector) if {
	reqs := k8s.selector_requirements(selector)
	every r in reqs {
		r.operator in {"NotIn", "DoesNotExist"}
	}
}

# A peer selecting every pod of every namespace: a namespaceSelector every namespace matches, with no
# podSelector or one every pod matches.
any_namespace_peer(peer) if {
	not present(peer, "ipBlock")
	selects_every_namespace(peer.namespaceSelector)
	not present(peer, "podSelector")
}

any_namespace_peer(peer) if {
	not present(peer, "ipBlock")
	selects_every_namespace(peer.namespaceSelector)
	selects_every_pod(peer.podSelector)
}

# A ports entry without `port`, or a range from port 1 to 65535 (endPort), covers every port of its protocol.
port_entry_all_ports(p) if not present(p, "port")

port_entry_all_ports(p) if {
	is_number(p.port)
	p.port <= 1
	is_number(p.endPort)
	p.endPort >= 65535
}

# A rule without ports (missing, null or []) allows every port of every protocol.
rule_all_ports(rule) if count(array_or_empty(object.get(rule, "ports", []))) == 0

# --- CIDRs as networks ---

# The prefix length of a valid CIDR (read as `sloppy_cidr` reads it); the address is checked by
# net.cidr_intersects, which parses it as a network. (Not net.cidr_contains: Go's before OPA 1.22, as in
# gator, reads an IPv6 network whose last address is IPv4-mapped, such as ::8000:0:0/81, as not containing itself.)
cidr_prefix(cidr) := to_number(parts[1]) if {
	c := sloppy_cidr(cidr)
	parts := split(c, "/")
	net.cidr_intersects(c, c)
}

# A CIDR text as the API server reads it (k8s.io/utils/net ParseCIDRSloppy, accepted with a warning):
# IPv4 octets with leading zeros are decimal (00.0.0.0/0 is 0.0.0.0/0), and an IPv4-mapped IPv6 network of
# prefix 96 or more is that IPv4 network (::ffff:0:0/96 is 0.0.0.0/0). Undefined when not address/prefix.
sloppy_cidr(cidr) := mapped_v4(c) if {
	c := decimal_cidr(cidr)
	mapped_v4(c)
} else := decimal_cidr(cidr)

decimal_cidr(cidr) := concat("/", [decimal_address(parts[0]), trim_left(parts[1], "0")]) if {
	is_string(cidr)
	parts := split(cidr, "/")
	count(parts) == 2
	regex.match(`^[0-9]{1,3}$`, parts[1])
	to_number(parts[1]) > 0
}

decimal_cidr(cidr) := concat("/", [decimal_address(parts[0]), "0"]) if {
	is_string(cidr)
	parts := split(cidr, "/")
	count(parts) == 2
	regex.match(`^0{1,3}$`, parts[1])
}

# An address with each IPv4 octet (also an IPv6 address's IPv4 tail) written without leading zeros.
decimal_address(addr) := decimal_v4(addr) if not contains(addr, ":")

decimal_address(addr) := addr if {
	contains(addr, ":")
	not contains(addr, ".")
}

decimal_address(addr) := concat(":", array.concat(array.slice(groups, 0, n - 1), [decimal_v4(groups[n - 1])])) if {
	contains(addr, ":")
	contains(addr, ".")
	groups := split(addr, ":")
	n := count(groups)
}

decimal_v4(addr) := concat(".", [decimal_octet(o) | some o in split(addr, ".")])

decimal_octet(o) := o if not regex.match(`^0[0-9]+$`, o)

decimal_octet(o) := trimmed if {
	regex.match(`^0[0-9]+$`, o)
	t := trim_left(o, "0")
	trimmed := t_or_zero(t)
}

t_or_zero("") := "0"

t_or_zero(t) := t if t != ""

# The IPv4 network of a valid IPv4-mapped IPv6 CIDR of prefix 96 or more.
mapped_v4(c) := concat("/", [v4_text(substring(bits, 96, 32)), format_int(prefix - 96, 10)]) if {
	parts := split(c, "/")
	contains(parts[0], ":")
	net.cidr_intersects(c, c)
	prefix := to_number(parts[1])
	prefix >= 96
	bits := address_bits(parts[0])
	startswith(bits, concat("", [substring(zero_bits, 0, 80), "1111111111111111"]))
}

v4_text(bits) := concat(".", [format_int(bits_value(substring(bits, i * 8, 8)), 10) | some i in numbers.range(0, 3)])

bits_value(bits) := sum([pow2[7 - i] | some i, b in split(bits, ""); b == "1"])

pow2 := [1, 2, 4, 8, 16, 32, 64, 128]

# Any `/0` is the whole address space of its family, whatever the digits before it (1.2.3.4/0, 2001:db8::/0).
whole_space(cidr) if cidr_prefix(cidr) == 0

# An ipBlock that still covers its whole family: a `/0` without a valid `except` network inside it.
open_ip_block(block) if {
	whole_space(block.cidr)
	not has_hole(block)
}

# Containment compares the networks' bit strings (cidr_network), the same in every OPA version.
has_hole(block) if {
	n := cidr_network(block.cidr)
	some hole in array_or_empty(object.get(block, "except", []))
	h := cidr_network(hole)
	h.family == n.family
	startswith(h.bits, n.bits)
}

# --- Unions of ipBlocks (docs/network-model.md "Unions of ipBlocks") ---
# A network is the bit string of its first `prefix` address bits (string work only: exact for IPv6 too).
# Whether an address lies in the union of some blocks, each minus its holes, only changes at the first
# address of a network or right after its last one: the union covers the family exactly when address 0
# and each of those boundary addresses lie in a block and in none of its holes.

hex_bits := {
	"0": "0000", "1": "0001", "2": "0010", "3": "0011", "4": "0100", "5": "0101", "6": "0110", "7": "0111",
	"8": "1000", "9": "1001", "a": "1010", "b": "1011", "c": "1100", "d": "1101", "e": "1110", "f": "1111",
}

zero_bits := concat("", [b | some _ in numbers.range(1, 128); b := "0"])

# The network of a valid CIDR (as `cidr_prefix` validates it): {"family": 4|6, "bits": its first prefix bits}.
cidr_network(cidr) := {"family": family, "bits": substring(address_bits(addr), 0, prefix)} if {
	prefix := cidr_prefix(cidr)
	addr := split(sloppy_cidr(cidr), "/")[0]
	family := address_family(addr)
}

address_family(addr) := 6 if contains(addr, ":")

else := 4

address_bits(addr) := v4_bits(addr) if not contains(addr, ":")

address_bits(addr) := v6_bits(addr) if contains(addr, ":")

v4_bits(addr) := concat("", [pad_bits(format_int(to_number(octet), 2), 8) | some octet in split(addr, ".")])

pad_bits(bits, width) := concat("", [substring(zero_bits, 0, width - count(bits)), bits])

# IPv6: the groups before and after `::` (an IPv4 tail counts 32 bits), zeros in between.
v6_bits(addr) := concat("", [head, substring(zero_bits, 0, (128 - count(head)) - count(tail)), tail]) if {
	halves := split(addr, "::")
	head := v6_side_bits(halves[0])
	tail := v6_side_bits(v6_tail_side(halves))
}

v6_tail_side(halves) := halves[1] if count(halves) == 2

else := ""

v6_side_bits("") := ""

v6_side_bits(side) := concat("", [v6_group_bits(g) | some g in split(side, ":")]) if side != ""

v6_group_bits(group) := v4_bits(group) if contains(group, ".")

v6_group_bits(group) := concat("", [hex_bits[d] | some d in split(lower(pad_hex(group)), "")]) if not contains(group, ".")

pad_hex(group) := concat("", [substring("000", 0, 4 - count(group)), group])

# The union of one family's blocks ({"net": bits, "holes": [bits inside net]}) covers the family of `width` bits.
# A boundary address is in a block without holes when one of its prefixes (of a block's length) is that
# block's network: a set lookup per length, so the check stays linear in the blocks.
blocks_cover_family(blocks, width) if {
	count(blocks) > 0
	nets := {n | some b in blocks; some n in array.concat([b.net], b.holes)}
	starts := {pad_right(n, width) | some n in nets}
	ends := {pad_right(after, width) | some n in nets; after := successor(n)}
	addresses := (starts | ends) | {substring(zero_bits, 0, width)}
	lengths := {count(b.net) | some b in blocks}
	whole := {b.net | some b in blocks; count(b.holes) == 0}
	holed := [b | some b in blocks; count(b.holes) > 0]
	every a in addresses {
		covered_address(a, lengths, whole, holed)
	}
}

covered_address(a, lengths, whole, _) if {
	some k in lengths
	whole[substring(a, 0, k)]
}

covered_address(a, _, _, holed) if {
	some b in holed
	startswith(a, b.net)
	not in_hole(a, b.holes)
}

in_hole(address, holes) if {
	some h in holes
	startswith(address, h)
}

pad_right(bits, width) := concat("", [bits, substring(zero_bits, 0, width - count(bits))])

# The prefix after `bits` as a binary number (its last 0 set, the 1s after it cleared); undefined for all 1s.
successor(bits) := concat("", [substring(bits, 0, last), "1", substring(zero_bits, 0, (count(bits) - last) - 1)]) if {
	contains(bits, "0")
	last := (count(bits) - 1) - indexof(strings.reverse(bits), "0")
}

family_width := {4: 32, 6: 128}

# The families (4, 6) whose whole address space the union of `cidrs` covers (excepts not counted:
# a union, like a `/0`, admits the internet whatever private ranges its blocks carve out).
families_covered(cidrs) := {family |
	some family, width in family_width
	blocks_cover_family([{"net": n.bits, "holes": []} | some c in cidrs; n := cidr_network(c); n.family == family], width)
}

# The families whose whole address space the union of ipBlocks covers once each block's valid `except`
# networks inside it are removed (egress: a `/0` with such an except is no open block, so neither is a
# union whose excepts leave a hole).
families_covered_minus_excepts(blocks) := {family |
	some family, width in family_width
	blocks_cover_family(
		[{"net": n.bits, "holes": block_holes(block, n)} | some block in blocks; n := cidr_network(block.cidr); n.family == family],
		width,
	)
}

block_holes(block, n) := [h.bits |
	some text in array_or_empty(object.get(block, "except", []))
	h := cidr_network(text)
	h.family == n.family
	startswith(h.bits, n.bits)
]
