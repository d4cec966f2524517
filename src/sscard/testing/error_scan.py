"""Find every error code the source can produce by reading it (``ast``), for the registry's meta-test.

Why read the source rather than run it: a code no test reaches still reaches a client one day, and only
the source names them all.  A *site* is a place that produces a code:

- a call of ``DomainError`` or a subclass (``Refused(...)``, ``errors.Conflict(...)``): the code is the first
  positional argument or ``code=``; the status is the class's, or ``status=`` when given;
- an error body: a dict literal with ``"code"`` and ``"message"`` keys (the API layer, the idempotency
  middleware); the status is the ``status=`` of the call that sends it, directly or through a local name;
- a device error (a subclass of ``DeviceError``): the code is its ``reason`` / ``code`` argument, or that
  parameter's default; the status is the one of the domain error its ``as_domain_error`` returns;
- a call of a *forwarding helper*, a function passing one of its parameters on as a code (for example
  ``_err(code, doc, message)``): the site is the caller, with the literal it passes.

A code expression resolves when it is a string literal, a module constant (also imported), an ``a if c
else b`` of those, a lookup ``TABLE[key]`` / ``TABLE.get(key, default)`` in a module-level dict, tuple,
list or set literal (each value counts as produced; a table keyed by HTTP status gives each code its key's
status when the status is not written at the site), or a local name bound once to the call of a function
whose every ``return`` is such a code or None (``problem = rules.new_pin_problem(...)``).  Anything else
(an f-string, ``+``, another call or variable) is reported as *dynamic*.  ``self.<attr>`` inside an error
or device class is the class passing its own code on (``as_dict``, ``as_domain_error``) and is not a site:
its constructions are.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ERROR_ROOT = "DomainError"
DEVICE_ROOT = "DeviceError"
_CODE_PARAMS = ("reason", "code")  # the parameter of a device error's __init__ that carries its code


@dataclass(frozen=True)
class Site:
    """One place a code is produced: ``status`` None when the source does not fix it."""

    code: str
    status: int | None
    path: str  # relative to src/, e.g. "sscard/cards/pin.py"
    line: int
    via: str  # the class, helper or "body" that produces it

    @property
    def app(self) -> str:
        return self.path.split("/")[1]


@dataclass(frozen=True)
class Dynamic:
    """A code position whose code the source does not spell out (``expr`` as written)."""

    path: str
    line: int
    expr: str
    status: int | None
    via: str


@dataclass(frozen=True)
class Scan:
    sites: tuple[Site, ...]
    dynamic: tuple[Dynamic, ...]


def source_files(src: Path) -> dict[str, str]:
    """Every non-test module of the ``sscard`` package under ``src``, by path relative to ``src``."""
    out = {}
    for path in sorted((src / "sscard").rglob("*.py")):
        rel = path.relative_to(src).as_posix()
        if {"tests", "migrations"} & set(rel.split("/")):
            continue
        out[rel] = path.read_text(encoding="utf-8")
    return out


def scan(sources: dict[str, str]) -> Scan:
    """Every site and dynamic code position in ``sources`` (path relative to src/ -> module text)."""
    modules = {_module_name(path): _Module(path, text) for path, text in sources.items()}
    classes = _Classes(modules.values())
    helpers: dict[tuple[str, str], _Helper] = {}
    while True:  # helpers can forward to helpers (_check_birth_range -> _err -> InvalidInput)
        found = _Finder(modules, classes, helpers)
        for mod in modules.values():
            found.visit_module(mod)
        if found.helpers.keys() == helpers.keys():
            return Scan(tuple(found.sites), tuple(found.dynamic))
        helpers = found.helpers


# --------------------------------------------------------------------------- modules and classes


def _module_name(path: str) -> str:
    name = path.removesuffix(".py").replace("/", ".")
    return name.removesuffix(".__init__")


class _Module:
    """One parsed module: its constants, literal tables and imported names."""

    def __init__(self, path: str, text: str):
        self.path = path
        self.name = _module_name(path)
        self.tree = ast.parse(text, filename=path)
        self.consts: dict[str, ast.expr] = {}
        self.tables: dict[str, list[tuple[ast.expr | None, ast.expr]]] = {}
        for node in self.tree.body:
            target, value = _assignment(node)
            if target is None:
                continue
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                self.consts[target] = value
            elif isinstance(value, ast.Dict) and None not in value.keys:
                self.tables[target] = list(zip(value.keys, value.values))
            elif isinstance(value, (ast.Tuple, ast.List, ast.Set)):
                self.tables[target] = [(None, v) for v in value.elts]
        self.imports: dict[str, tuple[str, str]] = {}  # local name -> (module, name)
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    self.imports[alias.asname or alias.name] = (node.module, alias.name)
        self.parents = {child: parent for parent in ast.walk(self.tree)
                        for child in ast.iter_child_nodes(parent)}


def _assignment(node: ast.stmt) -> tuple[str | None, ast.expr | None]:
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id, node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        return node.target.id, node.value
    return None, None


def _targets(node) -> list[ast.expr]:
    if isinstance(node, ast.Assign):
        return node.targets
    return [node.target]


def _defines(mod: _Module, name: str) -> bool:
    return any(isinstance(n, ast.FunctionDef) and n.name == name for n in mod.tree.body)


def _name(node: ast.expr) -> str | None:
    """``Refused`` for ``Refused`` and for ``errors.Refused``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


class _Classes:
    """The error and device class families, by class name, with the statuses and code parameters."""

    def __init__(self, modules):
        self.defs: dict[str, tuple[ast.ClassDef, _Module]] = {}
        bases: dict[str, set[str]] = {}
        for mod in modules:
            for node in ast.walk(mod.tree):
                if isinstance(node, ast.ClassDef):
                    names = {_name(b) for b in node.bases} - {None}
                    bases.setdefault(node.name, set()).update(names)
                    self.defs.setdefault(node.name, (node, mod))
        self.errors = _family(ERROR_ROOT, bases)
        self.devices = _family(DEVICE_ROOT, bases)

    def _chain(self, name: str):
        """The class and its ancestors in its family, nearest first."""
        family = self.errors if name in self.errors else self.devices
        while name in family and name in self.defs:
            node, mod = self.defs[name]
            yield node, mod
            name = next((b for b in map(_name, node.bases) if b in family), None)

    def status(self, name: str) -> int | None:
        for node, _ in self._chain(name):
            for stmt in node.body:
                target, value = _assignment(stmt)
                if target == "status" and isinstance(value, ast.Constant):
                    return value.value
        return 400 if name in self.errors else None

    def method(self, name: str, method: str) -> tuple[ast.FunctionDef, _Module] | None:
        for node, mod in self._chain(name):
            for stmt in node.body:
                if isinstance(stmt, ast.FunctionDef) and stmt.name == method:
                    return stmt, mod
        return None

    def device_status(self, name: str) -> int | None:
        """The status of the domain error ``as_domain_error`` makes of this device error."""
        found = self.method(name, "as_domain_error")
        if found is None:
            return None
        for call in ast.walk(found[0]):
            if isinstance(call, ast.Call) and _name(call.func) in self.errors:
                status = _keyword(call, "status")
                if status is None:
                    return self.status(_name(call.func))
                if isinstance(status, ast.Attribute) and status.attr == "status":
                    return self.status(name)
                return status.value if isinstance(status, ast.Constant) else None
        return None


def _family(root: str, bases: dict[str, set[str]]) -> set[str]:
    family = {root}
    grew = True
    while grew:
        grew = False
        for name, parents in bases.items():
            if name not in family and parents & family:
                family.add(name)
                grew = True
    return family


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


# --------------------------------------------------------------------------- finding the code positions


@dataclass(frozen=True)
class _Helper:
    """A function that forwards its parameter ``code`` (at ``index``) as a code."""

    code: str
    index: int | None
    status: int | None | tuple[str, int | None]  # fixed, unknown, or ("param name", index)
    via: str


def _params(fn: ast.FunctionDef | None) -> list[str]:
    if fn is None:
        return []
    return [a.arg for a in fn.args.posonlyargs + fn.args.args]


def _all_params(fn) -> set[str]:
    if fn is None:
        return set()
    return set(_params(fn)) | {a.arg for a in fn.args.kwonlyargs}


def _bound(call: ast.Call, name: str, index: int | None) -> ast.expr | None:
    """The argument ``call`` passes for parameter ``name`` (keyword, else at position ``index``)."""
    value = _keyword(call, name)
    if value is None and index is not None and index < len(call.args):
        value = call.args[index]
    return value


class _Finder(ast.NodeVisitor):
    def __init__(self, modules, classes: _Classes, helpers):
        self.modules = modules
        self.classes = classes
        self.known = helpers
        self.helpers: dict[tuple[str, str], _Helper] = {}
        self.sites: list[Site] = []
        self.dynamic: list[Dynamic] = []

    def visit_module(self, mod: _Module) -> None:
        self.mod, self.fn, self.cls = mod, None, None
        self.visit(mod.tree)

    def visit_ClassDef(self, node):
        outer, self.cls = self.cls, node.name
        self.generic_visit(node)
        self.cls = outer

    def visit_FunctionDef(self, node):
        outer, self.fn = self.fn, node
        self.generic_visit(node)
        self.fn = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node: ast.Call):
        name = _name(node.func)
        if name in self.classes.errors:
            self._error_call(node, name)
        elif name in self.classes.devices:
            self._device_call(node, name)
        elif isinstance(node.func, ast.Name) and (helper := self._helper(node.func.id)):
            self._helper_call(node, helper)
        self.generic_visit(node)

    def visit_Dict(self, node: ast.Dict):
        keys = {k.value: v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant)}
        code = keys.get("code")
        # ``{"code": err.code, ...}`` restates an error already raised (a list of problems): not a new code
        restated = isinstance(code, ast.Attribute) and code.attr == "code"
        if code is not None and "message" in keys and not restated:
            self._position(code, self._body_status(node), node, "body", self.mod)
        self.generic_visit(node)

    # -- the three kinds of calls

    def _error_call(self, node: ast.Call, name: str) -> None:
        code = node.args[0] if node.args else _keyword(node, "code")
        status = _keyword(node, "status")
        spec = self.classes.status(name) if status is None else self._status_spec(status)
        self._position(code, spec, node, name, self.mod)

    def _device_call(self, node: ast.Call, name: str) -> None:
        init = self.classes.method(name, "__init__")
        if init is None:
            return
        fn, where = init
        params = _params(fn)[1:]  # without self
        param = next((p for p in params if p in _CODE_PARAMS), None)
        if param is None:
            return
        code, mod = _bound(node, param, params.index(param)), self.mod
        if code is None:  # the default, resolved where the class is written
            defaults = dict(zip(params[len(params) - len(fn.args.defaults):], fn.args.defaults))
            code, mod = defaults.get(param), where
        self._position(code, self.classes.device_status(name), node, name, mod)

    def _helper_call(self, node: ast.Call, helper: _Helper) -> None:
        status = helper.status
        if isinstance(status, tuple):
            bound = _bound(node, *status)
            status = None if bound is None else self._status_spec(bound)
        self._position(_bound(node, helper.code, helper.index), status, node, helper.via, self.mod)

    def _helper(self, name: str) -> _Helper | None:
        key = (self.mod.name, name)
        if key not in self.known and name in self.mod.imports:
            key = self.mod.imports[name]
        return self.known.get(key)

    # -- statuses

    def _status_spec(self, expr: ast.expr):
        if isinstance(expr, ast.Constant) and isinstance(expr.value, int):
            return expr.value
        if isinstance(expr, ast.Name) and expr.id in _all_params(self.fn):
            params = _params(self.fn)
            return (expr.id, params.index(expr.id) if expr.id in params else None)
        return None

    def _body_status(self, node: ast.Dict):
        """The ``status=`` of the call sending this body, directly or through the name it is bound to."""
        parent = self.mod.parents.get(node)
        if isinstance(parent, ast.keyword):
            parent = self.mod.parents.get(parent)
        if isinstance(parent, ast.Call):
            status = _keyword(parent, "status")
            return None if status is None else self._status_spec(status)
        target, _ = _assignment(parent) if isinstance(parent, ast.stmt) else (None, None)
        scope = self.fn or self.mod.tree
        for call in ast.walk(scope):
            if target and isinstance(call, ast.Call) and (status := _keyword(call, "status")) is not None:
                passed = list(call.args) + [k.value for k in call.keywords]
                if any(isinstance(a, ast.Name) and a.id == target for a in passed):
                    return self._status_spec(status)
        return None

    # -- resolving a code

    def _position(self, expr, status, node, via: str, mod: _Module) -> None:
        if expr is None:
            self._dynamic(node, "<no code>", status, via)
            return
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self" \
                and self.cls in self.classes.errors | self.classes.devices:
            return  # the class passes its own code on; its constructions are the sites
        if isinstance(expr, ast.Name) and mod is self.mod and expr.id in _all_params(self.fn) \
                and self.fn is not None and self.cls is None:
            params = _params(self.fn)
            self.helpers[(mod.name, self.fn.name)] = _Helper(
                expr.id, params.index(expr.id) if expr.id in params else None, status, via)
            return
        codes = self._codes(expr, mod)
        if codes is None:
            self._dynamic(node, ast.unparse(expr), status, via)
            return
        for code, key in codes:
            fixed = status if not isinstance(status, tuple) else None
            if fixed is None and isinstance(key, int) and 100 <= key <= 599:
                fixed = key
            self.sites.append(Site(code, fixed, self.mod.path, node.lineno, via))

    def _dynamic(self, node, expr: str, status, via: str) -> None:
        fixed = status if not isinstance(status, tuple) else None
        self.dynamic.append(Dynamic(self.mod.path, node.lineno, expr, fixed, via))

    def _codes(self, expr: ast.expr, mod: _Module) -> list[tuple[str, object]] | None:
        """The codes ``expr`` can be, each with its table key (None outside tables); None: not resolvable."""
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return [(expr.value, None)]
        if isinstance(expr, ast.Name):
            found = self._lookup(expr.id, mod, "consts")
            if found is None and mod is self.mod:
                return self._returned(expr.id)
            return None if found is None else self._codes(*found)
        if isinstance(expr, ast.IfExp):
            body, orelse = self._codes(expr.body, mod), self._codes(expr.orelse, mod)
            return None if body is None or orelse is None else body + orelse
        table = default = None
        if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Name):
            table = self._lookup(expr.value.id, mod, "tables")
        elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "get" \
                and isinstance(expr.func.value, ast.Name) and 1 <= len(expr.args) <= 2:
            table = self._lookup(expr.func.value.id, mod, "tables")
            default = expr.args[1] if len(expr.args) == 2 else None
        if table is None:
            return None
        entries, where = table
        out = []
        for key, value in entries:
            codes = self._codes(value, where)
            if codes is None:
                return None
            out += [(code, key.value if isinstance(key, ast.Constant) else None) for code, _ in codes]
        if default is not None:
            codes = self._codes(default, mod)
            if codes is None:
                return None
            out += codes
        return out

    def _returned(self, name: str) -> list[tuple[str, object]] | None:
        """The codes of local ``name`` bound once, to ``f(...)`` / ``module.f(...)``, from f's returns."""
        if self.fn is None:
            return None
        bindings = (ast.Assign, ast.AnnAssign, ast.NamedExpr)
        bound = [node for node in ast.walk(self.fn) if isinstance(node, bindings)
                 and name in {t.id for t in _targets(node) if isinstance(t, ast.Name)}]
        if len(bound) != 1 or not isinstance(bound[0].value, ast.Call):
            return None
        found = self._function(bound[0].value.func)
        if found is None:
            return None
        fn, where = found
        codes = []
        for ret in (n for n in ast.walk(fn) if isinstance(n, ast.Return)):
            if ret.value is None or (isinstance(ret.value, ast.Constant) and ret.value.value is None):
                continue
            got = self._codes(ret.value, where)
            if got is None:
                return None
            codes += got
        return codes or None

    def _function(self, func: ast.expr) -> tuple[ast.FunctionDef, _Module] | None:
        """The module-level function ``func`` names (``f``, imported ``f``, ``module.f``) and its module."""
        mod, name = self.mod, None
        if isinstance(func, ast.Name):
            name = func.id
            if func.id in mod.imports and not _defines(mod, func.id):
                module, name = mod.imports[func.id]
                mod = self.modules.get(module)
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                and func.value.id in mod.imports:
            mod, name = self.modules.get(".".join(mod.imports[func.value.id])), func.attr
        if mod is None:
            return None
        fn = next((n for n in mod.tree.body if isinstance(n, ast.FunctionDef) and n.name == name), None)
        return None if fn is None else (fn, mod)

    def _lookup(self, name: str, mod: _Module, kind: str):
        """A module constant or table by name, following ``from x import name``: (value, its module)."""
        for _ in range(5):
            found = getattr(mod, kind).get(name)
            if found is not None:
                return found, mod
            if name not in mod.imports or mod.imports[name][0] not in self.modules:
                return None
            module, name = mod.imports[name]
            mod = self.modules[module]
        return None
