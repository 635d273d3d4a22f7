"""Read OKRs written as a Markdown outline (headings and nested bullets).

How the outline is read:

1. **Lines.** YAML front matter (``---`` … ``---`` at the top), fenced code, HTML
   comments, kramdown attribute lines (``{:toc}``, ``{:.no_toc}``) and a ``TOC`` bullet
   are dropped. Indentation is measured in columns, a TAB advancing to the next multiple
   of 4, so a bullet indented with one TAB sits beside siblings indented with 4 spaces.
   A bullet nests under the closest preceding bullet with a smaller column. An indented
   non-bullet line directly after a bullet (no blank line between) is a wrapped
   continuation and joins that bullet with a space; other paragraphs are ignored.
2. **Skipped sections.** A short heading (five words or fewer) naming something that
   is not OKRs - retrospective, lessons (learned), good / bad / try, key concepts,
   references, glossary - is skipped with everything under it up to the next heading
   of the same or a higher level. "On this page", "Table of contents", "Contents" and
   "TOC" headings drop only their own lines (the TOC), not the headings that follow.
   Bullets reading just "Good", "Bad" or "Try" are skipped with their sub-bullets.
3. **Prefixed documents.** When any line starts with ``Objective:`` (also bold,
   ``**Objective:**``, or numbered, ``Objective 2:``), only prefixed lines are OKRs:
   ``Objective:`` lines are objectives (nested ones align under the enclosing one),
   ``KR:`` / ``Key Result:`` lines are key results of the enclosing objective. Other
   lines are explanations: ignored, except that plain sub-bullets of an OKR line are
   kept in its description.
4. **Plain outlines.** Otherwise the shape decides. A bullet with sub-bullets is an
   objective aligned under its parent, a bullet without any is a key result of its
   parent objective (a ``KR:`` prefix forces a key result). Sub-bullets that are only
   links or URLs are notes: they go to the description and do not make an objective.
   A heading is an objective when bullets follow it directly (or it starts with
   ``Objective:``), except the document title (a ``#`` heading) and headings that
   name OKRs in general ("OKRs (2020 Set 1)", "Q3 Objectives", "Goals"): those, and
   headings without bullets, only structure the document.
5. **Owner labels.** A short leading label before a colon - at most four words and 40
   characters, no digits, links or "%" ("CMO: …", "Frontend: …", "Dir, Customer
   Success: …") - goes to ``owner_label``. A bullet that is only such a label ("VPE",
   "Dev Backend", "Dir, Customer Success:") and has sub-bullets is a *group*: its
   children become objectives / key results owned by that label (unless they carry their
   own), aligned under the group's parent. A label-only heading without bullets labels
   the headings below it. A bare label counts when it ends with a colon or is at most
   three capitalised words ("UX Research"), so "Happy customers" stays an objective.
6. **Text.** Titles are the rendered text: links become their text (the URLs go to the
   description), emphasis, inline code marks and backslash escapes are removed, runs of
   spaces collapse. A result written after the title ("…: 8/10 (80%)", "… - 70% (…)")
   is split off unparsed into ``result_text`` by ``northstar.okrs.sentences``. The
   original line is kept in ``KeyResultDoc.raw["line"]``.

Objectives get no cycle (the importer assigns one) and no units are created: labels
are left for the importer to match against people or units.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from northstar.interchange.document import (
    Document,
    KeyResultDoc,
    Location,
    ObjectiveDoc,
)
from northstar.interchange.formats._common import load_text

TAB_WIDTH = 4

_HEADING = re.compile(r" {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
_BULLET = re.compile(r"([ \t]*)(?:[-*+]|\d{1,3}[.)])(?:[ \t]+(.*))?$")
_FENCE = re.compile(r"\s*(```|~~~)")
_ATTRIBUTE_LINE = re.compile(r"\s*\{:.*\}\s*$")
_PREFIX = re.compile(
    r"(?P<kind>objective|key\s*result|kr)(?:\s*#?\d+(?:\.\d+)*)?\s*:\s*", re.IGNORECASE
)
_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_URL_ONLY = re.compile(r"(?:\s*(?:https?://\S+|\[[^\]]*\]\([^)]*\))[\s,;]*)+")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~>])")
_LABEL_WORD = re.compile(r"[A-Z][\w&/.+-]*|[A-Z0-9&/.+-]+")

_SECTION_WORDS = re.compile(
    r"\b(retrospectives?|retros?|lessons?|good\s*/\s*bad|key\s+concepts?|references?"
    r"|glossary)\b",
    re.IGNORECASE,
)
_TOC_HEADINGS = {"on this page", "table of contents", "contents", "toc", "in this document"}
_GENERIC_HEADING = re.compile(
    r"\b(okrs?|objectives?(\s+and\s+key\s+results?)?|key\s+results?|goals?)\b", re.IGNORECASE
)
_RETRO_LISTS = {"good", "bad", "try", "what went well", "what went wrong"}


def read_markdown(path_or_text: str | Path, *, source: str | None = None) -> Document:
    """Read a Markdown file (or Markdown text containing a newline) into a Document."""
    text, default_source = load_text(path_or_text)
    document = Document(source=source or default_source)
    tree = _build_tree(_lines(text))
    builder = _Builder(document, prefixed=_uses_objective_prefix(tree))
    for node in tree.children:
        builder.emit(node, parent=None, label=None)
    if not document.objectives:
        document.notice(Location(document.source), "no objectives found")
    return document


# --- lines -> outline tree -----------------------------------------------------------------


@dataclass
class _Node:
    """A heading or bullet with what is written under it."""

    text: str
    line: int
    heading_level: int = 0  # 0 for bullets
    column: int = 0
    children: list[_Node] = field(default_factory=list)

    @property
    def is_heading(self) -> bool:
        return self.heading_level > 0


@dataclass
class _Line:
    number: int
    kind: str  # "heading", "bullet", "continuation", "paragraph", "blank"
    text: str = ""
    column: int = 0
    level: int = 0


def _lines(text: str) -> list[_Line]:
    """Classify each meaningful line; drop front matter, code, comments and TOC marks."""
    raw_lines = text.splitlines()
    skip_until = _front_matter_end(raw_lines)
    lines: list[_Line] = []
    in_fence = in_comment = False
    for number, raw in enumerate(raw_lines, start=1):
        if number <= skip_until:
            continue
        if _FENCE.match(raw):
            in_fence = not in_fence
            continue
        in_comment, visible = _outside_comments(raw, in_comment)
        if in_fence or (not visible.strip() and raw.strip()):
            continue
        lines.append(_classify(number, visible, lines[-1] if lines else None))
    return lines


def _front_matter_end(raw_lines: list[str]) -> int:
    """Number of the line closing a front matter block that opens the file, else 0."""
    if not raw_lines or raw_lines[0].strip() != "---":
        return 0
    for number, raw in enumerate(raw_lines[1:], start=2):
        if raw.strip() in {"---", "..."}:
            return number
    return 0


def _outside_comments(raw: str, in_comment: bool) -> tuple[bool, str]:
    """Remove HTML comments, which may span lines; return (still inside, visible text)."""
    visible = []
    rest = raw
    while rest:
        if in_comment:
            end = rest.find("-->")
            if end < 0:
                return True, "".join(visible)
            rest, in_comment = rest[end + 3 :], False
        else:
            start = rest.find("<!--")
            if start < 0:
                visible.append(rest)
                break
            visible.append(rest[:start])
            rest, in_comment = rest[start + 4 :], True
    return in_comment, "".join(visible)


def _classify(number: int, raw: str, previous: _Line | None) -> _Line:
    if not raw.strip() or _ATTRIBUTE_LINE.match(raw):
        return _Line(number, "blank")
    if heading := _HEADING.match(raw):
        return _Line(number, "heading", heading[2], level=len(heading[1]))
    if (bullet := _BULLET.match(raw)) and not _is_rule(raw):
        return _Line(number, "bullet", bullet[2] or "", column=_columns(bullet[1]))
    column = _columns(raw[: len(raw) - len(raw.lstrip())])
    follows_bullet = previous is not None and previous.kind in {"bullet", "continuation"}
    if column > 0 and follows_bullet:
        return _Line(number, "continuation", raw.strip(), column=column)
    return _Line(number, "paragraph", raw.strip(), column=column)


def _is_rule(raw: str) -> bool:
    """ "---", "* * *": horizontal rules, not bullets."""
    compact = raw.replace(" ", "").replace("\t", "")
    return len(compact) >= 3 and len(set(compact)) == 1 and compact[0] in "-*_"


def _columns(indent: str) -> int:
    """Visual width of leading whitespace; a TAB moves to the next multiple of 4."""
    column = 0
    for char in indent:
        column = (column // TAB_WIDTH + 1) * TAB_WIDTH if char == "\t" else column + 1
    return column


def _build_tree(lines: list[_Line]) -> _Node:
    """Nest headings by level and bullets by column under the current heading."""
    root = _Node(text="", line=0, heading_level=0)
    headings: list[_Node] = [root]
    bullets: list[_Node] = []
    for line in lines:
        if line.kind == "heading":
            bullets = []
            node = _Node(line.text, line.number, heading_level=line.level)
            while len(headings) > 1 and headings[-1].heading_level >= line.level:
                headings.pop()
            headings[-1].children.append(node)
            headings.append(node)
        elif line.kind == "bullet":
            node = _Node(line.text, line.number, column=line.column)
            while bullets and bullets[-1].column >= line.column:
                bullets.pop()
            (bullets[-1] if bullets else headings[-1]).children.append(node)
            bullets.append(node)
        elif line.kind == "continuation" and bullets:
            bullets[-1].text = f"{bullets[-1].text} {line.text}".strip()
        elif line.kind == "paragraph" and line.column == 0:
            bullets = []  # An unindented paragraph ends the list.
    return root


# --- text helpers ----------------------------------------------------------------------------


@dataclass
class _Text:
    """A line's rendered text split into its parts."""

    kind: str | None  # "objective", "kr" or None
    label: str | None
    title: str
    result: str | None
    links: list[str]


def _render(markdown: str) -> tuple[str, list[str]]:
    """Rendered text of inline Markdown, and the URLs of the links it contained."""
    links = [match[2] for match in _LINK.finditer(markdown) if match[2]]
    text = _LINK.sub(lambda match: match[1], markdown)
    text = _AUTOLINK.sub(lambda match: match[1], text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"`([^`]*)`", r"\1", text)
    text = _ESCAPE.sub(r"\1", text)
    return re.sub(r"\s+", " ", text).strip(), links


def _prefix(text: str) -> tuple[str | None, str]:
    """("objective" | "kr" | None, text without the prefix)."""
    match = _PREFIX.match(text)
    if match is None:
        return None, text
    kind = "objective" if match["kind"].casefold() == "objective" else "kr"
    return kind, text[match.end() :].strip()


def _split_label(text: str) -> tuple[str | None, str]:
    """Split "CMO: Achieve 3x IACV" into ("CMO", "Achieve 3x IACV")."""
    match = re.match(r"([^:]+?)\s*:\s+(\S.*)$", text)
    if match is None or not _looks_like_label(match[1]):
        return None, text
    return match[1], match[2]


def _looks_like_label(text: str) -> bool:
    """Short, no digits, links or percentages: a role, team or department name."""
    words = text.split()
    return 0 < len(words) <= 4 and len(text) <= 40 and not re.search(r"[\d\[\]()%:]|https?", text)


def _bare_label(text: str) -> str | None:
    """The label when a whole line is one ("VPE", "Dev Backend", "Dir, Customer Success:")."""
    stripped = text.strip()
    name = stripped.removesuffix(":").strip()
    if not _looks_like_label(name):
        return None
    if stripped.endswith(":"):
        return name
    words = name.replace(",", " ").split()
    capitalised = all(_LABEL_WORD.fullmatch(word) for word in words)
    return name if capitalised and len(words) <= 3 else None


def _parse_text(markdown: str) -> _Text:
    rendered, links = _render(markdown)
    kind, rest = _prefix(rendered)
    label, rest = _split_label(rest)
    title, result = _split_result(rest)
    return _Text(kind, label, title, result, links)


def _split_result(text: str) -> tuple[str, str | None]:
    # Imported here: the sentence parser belongs to the okrs app and is only needed
    # once there is text to split, which keeps importing this module cheap.
    from northstar.okrs.sentences import split_result

    title, result = split_result(text)
    return (title or text), (result.text if result is not None else None)


def _is_note(node: _Node) -> bool:
    """A leaf bullet holding only links or URLs: a reference, not a key result."""
    return not node.children and (not node.text.strip() or bool(_URL_ONLY.fullmatch(node.text)))


def _is_retro_list(node: _Node) -> bool:
    return not node.is_heading and _plain(node.text) in _RETRO_LISTS


def _plain(text: str) -> str:
    rendered, _ = _render(text)
    return rendered.strip(" :").casefold()


def _heading_role(node: _Node) -> str | None:
    """ "section" (skip all), "toc" (skip own lines) or None for an ordinary heading."""
    plain = _plain(node.text)
    if plain in _TOC_HEADINGS:
        return "toc"
    if len(plain.split()) <= 5 and (_SECTION_WORDS.search(plain) or plain in _RETRO_LISTS):
        return "section"
    return None


def _is_title_heading(node: _Node) -> bool:
    """The document title (``#``) or a short heading naming OKRs in general."""
    text = _parse_text(node.text)
    short_and_generic = len(text.title.split()) <= 6 and _GENERIC_HEADING.search(text.title)
    return node.heading_level == 1 or (text.label is None and bool(short_and_generic))


def _uses_objective_prefix(tree: _Node) -> bool:
    """True when any OKR-bearing line starts with "Objective:"."""
    return any(_prefix(_render(node.text)[0])[0] == "objective" for node in _walk(tree))


def _walk(node: _Node) -> Iterator[_Node]:
    for child in node.children:
        if child.is_heading and _heading_role(child) == "section":
            continue
        yield child
        yield from _walk(child)


def _description(notes: list[_Node], links: list[str], depth: int = 0) -> str:
    """Plain sub-bullets and link targets, as an indented Markdown list."""
    lines = [f"{'  ' * depth}- {_render(note.text)[0]}" for note in notes if note.text.strip()]
    for note in notes:
        nested = _description(note.children, [], depth + 1)
        if nested:
            lines.append(nested)
    lines.extend(f"- {url}" for url in links if depth == 0)
    return "\n".join(line for line in lines if line)


# --- tree -> document ------------------------------------------------------------------------


@dataclass
class _Builder:
    """Turns outline nodes into objectives and key results (rules in the docstring)."""

    document: Document
    prefixed: bool

    def emit(self, node: _Node, parent: ObjectiveDoc | None, label: str | None) -> None:
        if node.is_heading:
            self._emit_heading(node, parent, label)
        elif not _is_retro_list(node) and _plain(node.text) != "toc":
            if self.prefixed:
                self._emit_prefixed(node, parent, label)
            else:
                self._emit_plain(node, parent, label)

    # headings

    def _emit_heading(self, node: _Node, parent: ObjectiveDoc | None, label: str | None) -> None:
        role = _heading_role(node)
        if role == "section":
            return
        headings = [child for child in node.children if child.is_heading]
        if role == "toc":
            self._emit_all(headings, parent, label)
        elif self.prefixed:
            self._emit_prefixed(node, parent, label)
        elif self._heading_is_objective(node):
            self._emit_plain(node, parent, label, force_objective=True)
        else:
            own = None if _is_title_heading(node) else _bare_label(_render(node.text)[0])
            self._emit_all(node.children, parent, own or label)

    def _heading_is_objective(self, node: _Node) -> bool:
        if _parse_text(node.text).kind == "objective":
            return True
        has_bullets = any(not child.is_heading for child in node.children)
        return has_bullets and not _is_title_heading(node)

    def _emit_all(self, nodes: list[_Node], parent: ObjectiveDoc | None, label: str | None) -> None:
        for child in nodes:
            self.emit(child, parent, label)

    # plain outlines

    def _emit_plain(
        self,
        node: _Node,
        parent: ObjectiveDoc | None,
        label: str | None,
        *,
        force_objective: bool = False,
    ) -> None:
        notes = [child for child in node.children if _is_note(child)]
        okrs = [child for child in node.children if not _is_note(child)]
        text = _parse_text(node.text)
        group = _bare_label(_render(node.text)[0]) if text.kind is None else None
        if group and okrs and parent is not None and not node.is_heading:
            self._emit_all(okrs, parent, group)
        elif text.kind == "kr" or (not okrs and not force_objective):
            self._add_key_result(node, text, parent, label, notes + okrs)
        else:
            # A label-only bullet at the top has no parent to group under: it is the
            # objective itself, titled and owned by its label.
            objective = self._add_objective(node, text, parent, group or label, notes)
            self._emit_all(okrs, objective, None)

    # prefixed documents

    def _emit_prefixed(self, node: _Node, parent: ObjectiveDoc | None, label: str | None) -> None:
        text = _parse_text(node.text)
        okr_children = [child for child in node.children if _holds_prefix(child)]
        notes = [child for child in node.children if not _holds_prefix(child)]
        if text.kind == "objective":
            objective = self._add_objective(node, text, parent, label, notes)
            self._emit_all(okr_children, objective, None)
        elif text.kind == "kr":
            self._add_key_result(node, text, parent, label, notes)
            self._emit_all(okr_children, parent, label)
        else:
            title_heading = node.is_heading and _is_title_heading(node)
            group = None if title_heading else _bare_label(_render(node.text)[0])
            self._emit_all(okr_children, parent, group or label)

    # building items

    def _add_objective(
        self,
        node: _Node,
        text: _Text,
        parent: ObjectiveDoc | None,
        label: str | None,
        notes: list[_Node],
    ) -> ObjectiveDoc:
        objective = ObjectiveDoc(
            title=text.title,
            location=Location(self.document.source, line=node.line),
            description=_description(notes, text.links),
            result_text=text.result,
            owner_label=text.label or label,
        )
        (parent.children if parent is not None else self.document.objectives).append(objective)
        return objective

    def _add_key_result(
        self,
        node: _Node,
        text: _Text,
        parent: ObjectiveDoc | None,
        label: str | None,
        notes: list[_Node],
    ) -> None:
        location = Location(self.document.source, line=node.line)
        if parent is None:
            self.document.notice(location, "a key result outside any objective: skipped")
            return
        if not text.title:
            self.document.notice(location, "an empty key result: skipped")
            return
        parent.key_results.append(
            KeyResultDoc(
                title=text.title,
                location=location,
                description=_description(notes, text.links),
                result_text=text.result,
                owner_label=text.label or label,
                raw={"line": node.text},
            )
        )


def _holds_prefix(node: _Node) -> bool:
    """Whether this node or one below it is an Objective: / KR: line."""
    if _prefix(_render(node.text)[0])[0] is not None:
        return True
    return any(_holds_prefix(child) for child in node.children)
