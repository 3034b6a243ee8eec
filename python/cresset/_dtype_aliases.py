"""torch's alternative dtype names, bound onto the package namespace."""
import cresset

_ALIASES = {
    "float": "float32", "double": "float64", "half": "float16", "long": "int64",
    "int": "int32", "short": "int16", "uint8": "uint8", "bool": "bool",
}
for _alias, _name in _ALIASES.items():
    setattr(cresset, _alias, getattr(cresset, _name))
