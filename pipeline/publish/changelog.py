"""CHANGELOG.md: one entry per release, newest first, carried forward from the parent release.

The entry holds no timestamp (the build time is in manifest.json) so it is deterministic and covered by
SHA256SUMS; long id lists are cut at MAX_LISTED with a pointer to `broadsheet diff --json`.
"""

from __future__ import annotations

from pipeline.publish.diff import ReleaseDiff

HEADER = "# Changelog\n"
MAX_LISTED = 200

WHY = {
    "major": "records were removed or changed, or a column was removed or retyped",
    "minor": "records or columns were only added",
    "patch": "the records are the same; only the files' bytes or the metadata changed",
}


def _listing(title: str, lines: list[str]) -> list[str]:
    if not lines:
        return []
    shown = lines[:MAX_LISTED]
    more = len(lines) - len(shown)
    tail = [f"- … and {more} more (`broadsheet diff --json` lists all)"] if more else []
    return [f"### {title}", "", *shown, *tail, ""]


def render_entry(version: str, diff: ReleaseDiff | None, forced: bool = False) -> str:
    if diff is None:
        return f"## {version}\n\nFirst release.\n"
    bump = diff.bump
    why = WHY.get(bump or "", "nothing changed in the records")
    head = f"## {version} ({bump or 'no change'} from {diff.old_version}{', version set by hand' if forced else ''})"
    lines = [head, "", f"Why this bump: {why}.", ""]
    lines.append(f"Documents: {len(diff.documents_added)} added, {len(diff.documents_removed)} removed, "
                 f"{len(diff.documents_changed)} changed.")
    lines.append("")
    lines += _listing("Added", [f"- `{d['doc_id']}` {d['source_path']}" + (f" — {d['title']}" if d.get("title") else "")
                                for d in diff.documents_added])
    lines += _listing("Removed", [f"- `{d['doc_id']}` {d['source_path']}" for d in diff.documents_removed])
    lines += _listing("Changed", [f"- {c.source_path}: `{c.old_doc_id}` → `{c.new_doc_id}`"
                                  for c in diff.documents_changed])
    lines += ["| table | rows before | rows after | added | removed | changed | columns |",
              "|---|---|---|---|---|---|---|"]
    for t in diff.tables.values():
        columns = "; ".join(part for part in (
            f"+{', '.join(t.columns_added)}" if t.columns_added else "",
            f"-{', '.join(t.columns_removed)}" if t.columns_removed else "",
            f"retyped {', '.join(t.columns_retyped)}" if t.columns_retyped else "") if part) or "same"
        lines.append(f"| `{t.name}` | {t.rows_before} | {t.rows_after} | {t.added} | {t.removed} | {t.changed} | "
                     f"{columns} |")
    if diff.metadata_changed:
        lines += ["", f"Metadata changed: {', '.join(diff.metadata_changed)}."]
    return "\n".join(lines) + "\n"


def combine(entry: str, parent_changelog: str | None) -> str:
    """New entry on top of the parent's entries, so each release carries its whole history."""
    older = (parent_changelog or "").removeprefix(HEADER).strip("\n")
    return f"{HEADER}\n{entry.rstrip()}\n" + (f"\n{older}\n" if older else "")
