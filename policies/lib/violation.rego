# The one way every control builds a violation. Its message is the control's template from
# control.yaml (`messages`, generated into lib.messages), rendered with the violation's data as
# src/catalog/load.ts renderMessage does, so Rego holds no message text of its own.
package lib.violation

import data.lib.k8s
import data.lib.messages

# A violation of control control_id about the object obj as a whole (resource = k8s.ref(obj)).
make(control_id, message_id, obj, fields) := at(control_id, message_id, obj, [], fields)

# A violation about the field at `path` of obj: a JSON path as an array of keys and list indexes
# (["spec", "template", "spec", "containers", 0, "securityContext", "privileged"]). A path to a field
# the object lacks is cut back to its closest existing parent, which is where the fix goes.
at(control_id, message_id, obj, path, fields) := with_ref_at(control_id, message_id, k8s.ref(obj), closest(obj, path), fields)

# A violation about `resource`, a reference {apiVersion, kind, namespace, name}: for set-scope
# findings about an object that is not itself in the input (e.g. a Namespace).
make_with_ref(control_id, message_id, resource, fields) := with_ref_at(control_id, message_id, resource, [], fields)

with_ref_at(control_id, message_id, resource, path, fields) := {
	"msg": concat("", ["[", message_id, "] ", render(control_id, message_id, fields)]),
	"details": {"messageId": message_id, "data": fields, "resource": resource, "path": path},
}

# The longest prefix of path that exists in obj (a key holding null does not exist).
closest(obj, path) := array.slice(path, 0, max(lengths)) if {
	lengths := {n |
		some n in numbers.range(0, count(path))
		exists(obj, array.slice(path, 0, n))
	}
}

exists(_, []) := true

exists(obj, prefix) if {
	count(prefix) > 0
	not is_null(object.get(obj, prefix, null))
}

# The template with each {key} of fields filled in; a placeholder without a value stays visible.
# A messageId the control's control.yaml lacks renders as "<control_id>: <message_id>" (as in
# renderMessage): the violation is kept and its message says which template is missing.
render(control_id, message_id, fields) := fill(template, fields) if {
	template := messages.templates[control_id][message_id]
} else := concat("", [control_id, ": ", message_id])

# Splitting at "{" leaves each placeholder at the start of a piece ("key}rest"); pieces cannot hold
# a "{", so placeholders are filled in one pass and a value is never itself rendered.
fill(template, fields) := concat("", [piece(i, s, fields) | some i, s in split(template, "{")])

piece(i, s, fields) := s if {
	i == 0
} else := concat("", [text(value), rest]) if {
	parts := split(s, "}")
	count(parts) > 1
	key := parts[0]
	regex.match(`^[A-Za-z0-9_]+$`, key)
	value := fields[key]
	rest := concat("}", array.slice(parts, 1, count(parts)))
} else := concat("", ["{", s])

# Strings as they are; numbers, booleans and null as JSON prints them.
text(value) := value if {
	is_string(value)
} else := json.marshal(value)
