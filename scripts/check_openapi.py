#!/usr/bin/env python3
"""Validates the review API's OpenAPI document (Sources/ReviewServer/OpenAPIDocument.swift) against the OpenAPI 3.1
schema: pip install pyyaml openapi-spec-validator && python3 scripts/check_openapi.py"""
import os, textwrap, yaml
from openapi_spec_validator import validate

src = open(os.path.join(os.path.dirname(__file__), "..", "Sources/ReviewServer/OpenAPIDocument.swift")).read()
document = yaml.safe_load(textwrap.dedent(src.split('"""')[1]))
validate(document)
print("valid OpenAPI 3.1:", ", ".join(document["paths"]))
