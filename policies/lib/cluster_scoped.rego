# Well-known cluster-scoped kinds (policies/_kinds.yaml, as src/k8s/cluster-scoped.ts reads it);
# every other kind is treated as namespaced.
package lib.cluster_scoped

import data.lib.kinds as kind_sets

kinds := kind_sets.cluster_scoped

is_cluster_scoped(obj) if kinds[obj.kind]
