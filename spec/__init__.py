"""The ICSS standard as data: indicators, profiles, schemas and the service interface.

Everything else in ICSS is derived from the files in this package. Load them with
:func:`load_catalogue` (cached: the files are read once per process) and validate them with
:func:`validate_spec`.
"""

from ._load import build_catalogue, data_files, load_catalogue, openapi_document, spec_digest, spec_root
from ._model import (
    AreaInfo,
    Bilingual,
    Catalogue,
    Indicator,
    Level,
    Parameter,
    ParameterValue,
    Profile,
    Reference,
)
from ._once import once
from ._schemas import (
    SCHEMA_BASE,
    compiled_validator,
    schema,
    schema_documents,
    schema_registry,
    surely_valid,
    validator,
)
from ._validate import EXPECTED_ACTIVE, SpecProblem, operation_ids, validate_spec

__all__ = [
    # loading
    "load_catalogue",
    "build_catalogue",
    "spec_root",
    "spec_digest",
    "data_files",
    "openapi_document",
    "once",
    # the typed model
    "Catalogue",
    "AreaInfo",
    "Indicator",
    "Level",
    "Parameter",
    "ParameterValue",
    "Profile",
    "Reference",
    "Bilingual",
    # schemas
    "SCHEMA_BASE",
    "schema",
    "schema_documents",
    "schema_registry",
    "validator",
    "compiled_validator",
    "surely_valid",
    # validation
    "validate_spec",
    "SpecProblem",
    "EXPECTED_ACTIVE",
    "operation_ids",
]
