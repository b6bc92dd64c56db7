"""Files, folders and registry keys at places known to be used by monitoring software."""
from __future__ import annotations

from .base import Check, Context, Probe, ask, signature_findings


class KnownFilesCheck(Check):
    id = "files"
    what = "folders and files that monitoring software is known to use"

    def run(self, ctx: Context):
        out = []
        for item in ctx.snapshot.of("files"):
            hits = ask(ctx, [Probe("file_paths", "path", item.path),
                             Probe("executable_paths", "path", item.path),
                             Probe("sha256", "sha256", item.sha256 or "")])
            out += signature_findings(self.id, "files", item, hits)
        return out


class RegistryCheck(Check):
    id = "registry"
    what = "places in the Windows registry that monitoring software is known to use"

    def run(self, ctx: Context):
        out = []
        for item in ctx.snapshot.of("registry"):
            if item.value_name is not None:
                hits = [(h, Probe("registry_values", "value_name", item.value_name))
                        for h in ctx.index.registry_value(item.key, item.value_name)]
            else:
                hits = ask(ctx, [Probe("registry_keys", "key", item.key)])
            out += signature_findings(self.id, "registry", item, hits)
        return out
