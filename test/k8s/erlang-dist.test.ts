import { describe, expect, it } from "vitest";
import { effectiveEnv, providedEnvKeys } from "../../src/k8s/env.js";
import {
  configKernelParam,
  configTextsOf,
  containerListenRanges,
  distListenRanges,
  distRanges,
  envSourceText,
  commandLineReadings,
  distProtocols,
  erlangInteger,
  erlWords,
  flagReadings,
  flagValues,
  hasOptfile,
  kernelParamValues,
  mountedConfigTexts,
  mountedFile,
  mountedFlagTexts,
  nameFlags,
  optfilePaths,
  optfileTexts,
  sslDistSection,
  tlsDist,
  volumeSources,
  VM_ARGS_FILES,
} from "../../src/k8s/erlang-dist.js";
import type { Container } from "../../src/k8s/workloads.js";
import type { K8sObject } from "../../src/types.js";

const configMap = (name: string, data: Record<string, string>): K8sObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name, namespace: "n" },
  data,
});
const SSL_DIST = '[{server, [{certfile, "/c/tls.crt"}]}].';
const objects = [
  configMap("flags", { ERL_FLAGS: "-proto_dist inet_tls", "vm.args": "-name a@h", "sys.config": "[].", other: "-x" }),
  configMap("ssl", { "ssl_dist.conf": SSL_DIST, "extra.conf": "y" }),
];
const texts = configTextsOf(objects);
const keysOf = providedEnvKeys(objects)("n");
const pod = (volumes: unknown[]): K8sObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "n" },
  spec: { volumes },
});
const readingsOf = (w: K8sObject, c: Container) => flagReadings(w, c, effectiveEnv(c, keysOf), texts, VM_ARGS_FILES);
const tokens = (text: string): string[] => [...erlWords(text), "--"];

describe("Erlang distribution flags", () => {
  it("reads a literal, a configMapKeyRef and an envFrom ConfigMap key; not a Secret's", () => {
    expect(envSourceText(texts, "n", { from: "env", index: 0, entry: { value: "v" } })).toBe("v");
    const ref = { from: "env", index: 0, entry: { valueFrom: { configMapKeyRef: { name: "flags", key: "ERL_FLAGS" } } } } as const;
    expect(envSourceText(texts, "n", ref)).toBe("-proto_dist inet_tls");
    expect(envSourceText(texts, "elsewhere", ref)).toBeUndefined();
    expect(envSourceText(texts, "n", { from: "envFrom", index: 0, kind: "configMap", name: "flags", key: "other" })).toBe("-x");
    expect(envSourceText(texts, "n", { from: "envFrom", index: 0, kind: "secret", name: "flags", key: "other" })).toBeUndefined();
  });

  it("reads the mounted vm.args, command, args and the winning flag variables; a sys.config is no flag file", () => {
    const c: Container = {
      command: ["erl"],
      args: ["-s"],
      env: [
        { name: "ERL_ZFLAGS", valueFrom: { configMapKeyRef: { name: "flags", key: "ERL_FLAGS" } } },
        { name: "OTHER", value: "-y" },
      ],
      volumeMounts: [{ name: "cfg", mountPath: "/rel" }],
    };
    const w = pod([{ name: "cfg", configMap: { name: "flags" } }]);
    expect(readingsOf(w, c)).toEqual([["-name", "a@h", "--", "erl", "-s", "--", "-proto_dist", "inet_tls", "--"]]);
    expect(mountedFlagTexts(w, c, texts, ["sys.config"])).toEqual(["[]."]);
  });

  it("reads only the mounted items of a projected ConfigMap; null items mount no key", () => {
    const c: Container = { volumeMounts: [{ name: "cfg", mountPath: "/rel" }] };
    const items = [{ key: "sys.config", path: "sys.config" }];
    const projected = pod([{ name: "cfg", projected: { sources: [{ configMap: { name: "flags", items } }] } }]);
    expect(mountedFlagTexts(projected, c, texts, VM_ARGS_FILES)).toEqual([]);
    expect(mountedFlagTexts(projected, c, texts, ["sys.config"])).toEqual(["[]."]);
    expect(mountedFlagTexts(pod([{ name: "cfg", configMap: { name: "flags", items: null } }]), c, texts, VM_ARGS_FILES)).toEqual([]);
  });

  it("reads no flag after -extra: TLS there is a plain argument", () => {
    const c: Container = {
      args: ["foreground", "-extra", "-proto_dist", "inet_tls"],
      env: [
        { name: "ERL_FLAGS", value: "-extra -proto_dist inet_tls -ssl_dist_optfile /f" },
        { name: "ELIXIR_ERL_OPTIONS", value: "-name e@h -extra -proto_dist inet_tls" },
      ],
    };
    const readings = readingsOf(pod([]), c);
    expect(tlsDist(readings)).toBe(false);
    expect(optfilePaths(readings)).toEqual([]);
    expect(nameFlags(readings)).toEqual(["e@h"]);
  });

  it("splits a variable or an args file into words as erlexec does", () => {
    expect(erlWords(`  -a "b c"d 'e\\' f\\ g `)).toEqual(["-a", "b cd", "e\\", "f g"]);
    expect(erlWords("-a\tb")).toEqual(["-a\tb"]);
    expect(erlWords("a\\")).toEqual(["a"]);
  });

  it("takes a flag's values up to the next flag", () => {
    expect(flagValues(tokens("-proto_dist inet_tls inet_tcp +K true -x -proto_dist"), "proto_dist")).toEqual([
      ["inet_tls", "inet_tcp"],
      [],
    ]);
  });

  it("starts TLS distribution only from exactly one -proto_dist naming TLS protocols alone", () => {
    expect(distProtocols(tokens('erl -proto_dist "inet6_tls"'))).toEqual(["inet6_tls"]);
    expect(distProtocols(tokens("-proto_dist inet_tls -proto_dist inet_tls"))).toEqual(["inet_tcp"]);
    expect(distProtocols(tokens("-name a"))).toEqual(["inet_tcp"]);
    expect(tlsDist([tokens('erl -proto_dist "inet6_tls"')])).toBe(true);
    expect(tlsDist([tokens("-proto_dist inet_tcp")])).toBe(false);
    expect(tlsDist([tokens("-proto_dist inet_tls inet_tcp")])).toBe(false);
    expect(tlsDist([tokens("-proto_dist")])).toBe(false);
    expect(tlsDist([tokens("-proto_dist inet_tls"), tokens("-proto_dist inet_tls -proto_dist inet_tls")])).toBe(false);
  });

  it("reads the options file and the node name as the VM takes them", () => {
    expect(optfilePaths([tokens("-ssl_dist_optfile '/a' -ssl_dist_optfile /b")])).toEqual([]);
    expect(optfilePaths([tokens("-ssl_dist_optfile '/a'"), tokens("-ssl_dist_optfile /b")])).toEqual(["/a", "/b"]);
    expect(optfilePaths([tokens("-ssl_dist_optfile")])).toEqual([]);
    expect(hasOptfile([tokens("-ssl_dist_optfile /a -ssl_dist_optfile /b")])).toBe(true);
    expect(hasOptfile([tokens("-ssl_dist_optfile /a"), tokens("-x")])).toBe(false);
    expect(nameFlags([tokens("-name b@h -sname a -sname c")])).toEqual(["a"]);
    expect(nameFlags([tokens("-sname -name b@h -name d@h")])).toEqual(["b@h"]);
  });

  it("keeps each argv element whole unless a shell splits it", () => {
    expect(commandLineReadings({ args: ["-proto_dist inet_tls"] })).toEqual([["-proto_dist inet_tls"], ["-proto_dist", "inet_tls"]]);
    const script: Container = { command: ["/bin/sh", "-ec"], args: ["exec erl -proto_dist 'inet_tls'", "-proto_dist inet_tcp"] };
    expect(commandLineReadings(script)).toEqual([
      ["exec", "erl", "-proto_dist", "inet_tls"],
      ["exec", "erl", "-proto_dist", "inet_tls", "-proto_dist", "inet_tcp"],
    ]);
  });

  it("joins the command and args into one part and cuts each part at -extra", () => {
    const c: Container = {
      command: ["erl", "-proto_dist"],
      args: ["inet_tls"],
      env: [{ name: "ERL_FLAGS", value: "-ssl_dist_optfile /a -extra -proto_dist x" }],
    };
    expect(readingsOf(pod([]), c)).toEqual([["erl", "-proto_dist", "inet_tls", "--", "-ssl_dist_optfile", "/a", "--"]]);
    const split: Container = {
      env: [
        { name: "ERL_AFLAGS", value: "-proto_dist" },
        { name: "ERL_FLAGS", value: "inet_tls" },
      ],
    };
    expect(distProtocols(readingsOf(pod([]), split)[0]!)).toEqual([]);
  });
});

describe("mounted files", () => {
  it("names the object of a configMap, secret or projected source", () => {
    expect(volumeSources({ configMap: { name: "c" } }, "configMap")).toEqual([{ name: "c" }]);
    expect(volumeSources({ secret: { secretName: "s" } }, "secret")).toEqual([{ secretName: "s", name: "s" }]);
    expect(volumeSources({ projected: { sources: [{ secret: { name: "s" } }, { configMap: null }] } }, "configMap")).toEqual([]);
    expect(volumeSources(null, "secret")).toEqual([]);
  });

  it("follows the mount path, subPath and items to the key a path shows", () => {
    const source = { name: "ssl", items: [{ key: "ssl_dist.conf", path: "d/ssl.conf" }] };
    const w = pod([{ name: "v", configMap: source }]);
    const dir: Container = { volumeMounts: [{ name: "v", mountPath: "/etc/ssl/" }] };
    expect(mountedFile(w, dir, "/etc/ssl/d/ssl.conf", "configMap")).toEqual([[source, "ssl_dist.conf"]]);
    expect(mountedFile(w, dir, "/etc/ssl/extra.conf", "configMap")).toEqual([]);
    const file: Container = { volumeMounts: [{ name: "v", mountPath: "/ssl.conf", subPath: "d/ssl.conf" }] };
    expect(mountedConfigTexts(w, file, "/ssl.conf", texts)).toEqual([SSL_DIST]);
    const subDir: Container = { volumeMounts: [{ name: "v", mountPath: "/etc", subPath: "d" }] };
    expect(mountedConfigTexts(w, subDir, "/etc/ssl.conf", texts)).toEqual([SSL_DIST]);
    expect(mountedConfigTexts(pod([{ name: "v", configMap: { name: "ssl" } }]), dir, "/etc/ssl/extra.conf", texts)).toEqual(["y"]);
  });

  it("reads each ssl_dist text the flags name once, skipping a path nothing mounts", () => {
    const w = pod([{ name: "v", configMap: { name: "ssl" } }]);
    const c: Container = {
      volumeMounts: [
        { name: "v", mountPath: "/etc/ssl" },
        { name: "v", mountPath: "/etc/tls" },
      ],
    };
    const readings = ["/etc/ssl/ssl_dist.conf", "/nowhere", "/etc/tls/ssl_dist.conf"].map((f) => tokens(`-ssl_dist_optfile ${f}`));
    expect(optfileTexts(w, c, readings, texts)).toEqual([SSL_DIST]);
  });
});

describe("ssl_dist sections", () => {
  it("drops Erlang comments and joins every section of a side", () => {
    const text = `[{server, [{certfile, "/a"}]}, % {client, [{verify, verify_none}]}
{client, [{verify, verify_peer}]}, {server, [{keyfile, "/k"}]}].`;
    expect(sslDistSection(text, "server")).toContain('{certfile, "/a"}');
    expect(sslDistSection(text, "server")).toContain('{keyfile, "/k"}');
    expect(sslDistSection(text, "client")).toContain("verify_peer");
    expect(sslDistSection(text, "client")).not.toContain("verify_none");
    expect(sslDistSection("[].", "client")).toBe("");
  });
});

describe("the command line in the VM's order", () => {
  it("puts ERL_AFLAGS, ELIXIR_ERL_OPTIONS, vm.args, command, args, ERL_FLAGS then ERL_ZFLAGS, each cut at -extra", () => {
    const c: Container = {
      name: "c",
      command: ["erl"],
      args: ["-a", 1],
      env: [
        { name: "ERL_ZFLAGS", value: "-z" },
        { name: "ERL_FLAGS", value: "-old" },
        { name: "ERL_FLAGS", value: "-f -extra -plain" },
        { name: "ELIXIR_ERL_OPTIONS", value: "-e" },
        { name: "ERL_AFLAGS", valueFrom: { configMapKeyRef: { name: "flags", key: "other" } } },
      ],
      volumeMounts: [{ name: "cfg", mountPath: "/rel" }],
    };
    const w = pod([{ name: "cfg", configMap: { name: "args" } }]);
    const own = configTextsOf([configMap("args", { "vm.args": "-v # -kernel x 1\n-w" }), configMap("flags", { other: "-x" })]);
    expect(flagReadings(w, c, effectiveEnv(c, keysOf), own, VM_ARGS_FILES)).toEqual([
      ["-x", "--", "-e", "--", "-v", "-w", "--", "erl", "-a", "--", "-f", "--", "-z", "--"],
    ]);
  });

  it("reads command and args as one argv, cut at its first -extra; each variable cut at its own", () => {
    const c: Container = {
      name: "c",
      command: ["erl", "-extra"],
      args: ["-kernel", "inet_dist_listen_min", "9200"],
      env: [
        { name: "ERL_AFLAGS", value: "-a -extra -b" },
        { name: "ERL_FLAGS", value: "-kernel inet_dist_listen_min 9300" },
      ],
    };
    expect(readingsOf(pod([]), c)).toEqual([["-a", "--", "erl", "--", "-kernel", "inet_dist_listen_min", "9300", "--"]]);
  });

  it("splits the variables on spaces and, as newer erlexec releases do, on any whitespace", () => {
    const c: Container = { name: "c", env: [{ name: "ERL_FLAGS", value: "-kernel\tinet_dist_listen_min 9200" }] };
    expect(readingsOf(pod([]), c)).toEqual([
      ["--", "-kernel\tinet_dist_listen_min", "9200", "--"],
      ["--", "-kernel", "inet_dist_listen_min", "9200", "--"],
    ]);
  });
});

describe("-args_file", () => {
  it("reads the file a ConfigMap mounts at each named path in place, comments dropped; an unmounted path reads as nothing", () => {
    const c: Container = {
      name: "c",
      command: ["erl", "-args_file", "/etc/a.args", "-b", "-args_file", "/nowhere", "-c"],
      env: [{ name: "ERL_FLAGS", value: "-args_file '/etc/a.args'" }],
      volumeMounts: [{ name: "cfg", mountPath: "/etc" }],
    };
    const w = pod([{ name: "cfg", configMap: { name: "args" } }]);
    const own = configTextsOf([configMap("args", { "a.args": "-a # note" })]);
    expect(flagReadings(w, c, effectiveEnv(c, keysOf), own, VM_ARGS_FILES)).toEqual([
      ["erl", "-a", "--", "-b", "-c", "--", "-a", "--", "--"],
    ]);
  });
});

describe("kernel parameters and the distribution listen range", () => {
  it("reads every -kernel pair of a parameter, in order", () => {
    const flags = tokens('-kernel inet_dist_listen_min 9100 inet_dist_listen_max "9105" -name a -kernel inet_dist_listen_min 9200 odd');
    expect(kernelParamValues(flags, "inet_dist_listen_min")).toEqual(["9100", "9200"]);
    expect(kernelParamValues(flags, "inet_dist_listen_max")).toEqual(["9105"]);
    expect(kernelParamValues(flags, "odd")).toEqual([]);
    expect(kernelParamValues(tokens("-kernel"), "inet_dist_listen_min")).toEqual([]);
    expect(kernelParamValues(["-kernel", "inet_dist_listen_min", "--", "9200"], "inet_dist_listen_min")).toEqual([]);
  });

  it("reads plain, separated and based Erlang integers only", () => {
    expect(erlangInteger("9100")).toBe(9100);
    expect(erlangInteger("9_100")).toBe(9100);
    expect(erlangInteger("16#23F0")).toBe(9200);
    expect(erlangInteger("2#1_0")).toBe(2);
    for (const other of ["2#12", "37#1", "'9100'x", "9100.0", ""]) expect(erlangInteger(other), other).toBeUndefined();
  });

  it("reads the sys.config under the flags", () => {
    const config = `[{kernel, [{inet_dist_listen_min, 9300}, % {inet_dist_listen_max, 9999}
{'inet_dist_listen_max', 16#2459}]}].`;
    expect(configKernelParam(config, "inet_dist_listen_max")).toBe("16#2459");
    expect(distListenRanges(tokens(""), config)).toEqual([{ min: 9300, max: 9305 }]);
    expect(distListenRanges(tokens("-kernel inet_dist_listen_min 9302"), config)).toEqual([{ min: 9302, max: 9305 }]);
    expect(distListenRanges(tokens("-kernel inet_dist_listen_max 9400"), config)).toEqual([{ min: 9300, max: 9400 }]);
    expect(distListenRanges(tokens(""), "[{kernel, [{inet_dist_listen_max, 9305}]}].")).toEqual([undefined]);
  });

  it("pins a container's range by its flags over its mounted sys.config; others listen on the fallback", () => {
    const own = configTextsOf([configMap("rel", { "sys.config": "[{kernel, [{inet_dist_listen_min, 9300}]}].", "vm.args": "-x" })]);
    const w = pod([{ name: "rel", configMap: { name: "rel" } }]);
    const env = (c: Container) => effectiveEnv(c, keysOf);
    const mounted: Container = { name: "a", volumeMounts: [{ name: "rel", mountPath: "/rel" }] };
    expect(containerListenRanges(w, mounted, env(mounted), own)).toEqual([{ min: 9300, max: 9300 }]);
    const flagged: Container = {
      ...mounted,
      args: ["-kernel", "inet_dist_listen_min", "9400", "-extra", "-kernel", "inet_dist_listen_min", "9500"],
    };
    expect(containerListenRanges(w, flagged, env(flagged), own)).toEqual([{ min: 9400, max: 9400 }]);
    // Exec'd directly, one element holding a space is one plain argument: the sys.config's 9300 holds there.
    const spaced: Container = { ...mounted, args: ["-kernel inet_dist_listen_min 9400"] };
    expect(containerListenRanges(w, spaced, env(spaced), own)).toEqual([
      { min: 9300, max: 9300 },
      { min: 9400, max: 9400 },
    ]);
    const fallback = { min: 9100, max: 9105 };
    const erlang: Container = { name: "b", ports: [{ name: "epmd", containerPort: 4369 }] };
    const web: Container = { name: "c" };
    const sts: K8sObject = {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "s", namespace: "n" },
      spec: { template: { spec: { volumes: [{ name: "rel", configMap: { name: "rel" } }], containers: [mounted, erlang, web] } } },
    };
    expect(distRanges(sts, env, own, fallback)).toEqual([{ min: 9300, max: 9300 }, fallback]);
    // A container that pins a range in one reading only listens on the fallback in the other.
    const quoted: Container = { name: "d", args: ["-kernel", "inet_dist_listen_min", "'9400'"] };
    const one = { ...sts, spec: { template: { spec: { containers: [quoted, web] } } } };
    expect(distRanges(one, env, own, fallback)).toEqual([fallback, { min: 9400, max: 9400 }]);
  });

  it("defaults the max to the min and needs a positive integer min", () => {
    const ranges = (text: string) => distListenRanges(tokens(text));
    expect(ranges("-kernel inet_dist_listen_min 9200 inet_dist_listen_max 9205")).toEqual([{ min: 9200, max: 9205 }]);
    expect(ranges("-kernel inet_dist_listen_min 9200")).toEqual([{ min: 9200, max: 9200 }]);
    expect(ranges("-kernel inet_dist_listen_min 9200 inet_dist_listen_max x")).toEqual([{ min: 9200, max: 9200 }]);
    expect(ranges("-kernel inet_dist_listen_max 9205")).toEqual([undefined]);
    expect(ranges("-kernel inet_dist_listen_min 0")).toEqual([undefined]);
    expect(ranges("-kernel inet_dist_listen_min '9200x'")).toEqual([undefined]);
    // A literal quote is part of the value when exec'd directly: '9200' is an atom, "9200" a string.
    expect(distListenRanges(["-kernel", "inet_dist_listen_min", "'9200'", "--"])).toEqual([undefined]);
  });

  it("reads each range the VM may take when a parameter is given twice (OTP 25: the first -kernel, or the last beside a sys.config)", () => {
    const twice = tokens(
      "-kernel inet_dist_listen_min 9200 inet_dist_listen_max 9205 -- -kernel inet_dist_listen_min 9100 inet_dist_listen_max x",
    );
    expect(distListenRanges(twice)).toEqual([
      { min: 9200, max: 9205 },
      { min: 9200, max: 9200 },
      { min: 9100, max: 9205 },
      { min: 9100, max: 9100 },
    ]);
    expect(distListenRanges(tokens("-kernel inet_dist_listen_min 9200 -kernel inet_dist_listen_min x"))).toEqual([
      { min: 9200, max: 9200 },
      undefined,
    ]);
  });
});
