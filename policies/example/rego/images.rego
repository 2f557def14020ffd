# Example custom rules over the scan result (bosun scan --format json).
package bosun.images

import rego.v1

# Images must say where their source lives.
deny contains msg if {
	labels := object.get(input.inventory, ["config", "labels"], {})
	not labels["org.opencontainers.image.source"]
	msg := "image has no org.opencontainers.image.source label: we cannot trace it to a repository"
}

# No package may come from a layer whose history line curls a script into a shell.
deny contains msg if {
	some layer in input.inventory.layers
	contains(object.get(layer, "created_by", ""), "| sh")
	msg := sprintf("layer %d pipes a download into a shell: %s", [layer.index, layer.created_by])
}

# Known-exploited style gate: any CRITICAL finding with a fix must be fixed.
deny contains msg if {
	some f in input.findings
	f.severity == "CRITICAL"
	f.status == "fixed"
	not f.suppressed
	msg := sprintf("%s in %s %s is CRITICAL and fixed upstream (%v)", [f.id, f.package.name, f.package.version, f.fixed_versions])
}

# A warning never denies.
warn contains msg if {
	count(input.inventory.packages) > 500
	msg := sprintf("%d packages: consider a slimmer base", [count(input.inventory.packages)])
}
