"""OpenAPI generation (drf-spectacular): every operation documents its problem responses."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

from casework.api.problems import PROBLEM_TYPE


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="Dotted path of the field: items.3.url.")
    reason = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    errors = FieldErrorSerializer(many=True, required=False)
    existing_id = serializers.IntegerField(
        required=False, help_text="A duplicate's existing item (409 of item create)."
    )


ERROR_CODES = {
    "400": "Invalid input: `errors` names each field.",
    "401": "No key, or an unknown or revoked one.",
    "403": "Not allowed: a read key asked to change data, or a CSRF failure.",
    "404": "Not found, or another rights holder's.",
    "406": "Unacceptable Accept header.",
    "429": "Too many requests: see Retry-After.",
}
WRITE_CODES = {
    "409": "Conflicts with the current state (a duplicate URL, a refused transition).",
    "413": "Request body too large.",
    "415": "Unsupported media type.",
}


class ProblemAutoSchema(AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        ref = self.resolve_serializer(ProblemSerializer, "response").ref
        codes = dict(ERROR_CODES)
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            codes.update(WRITE_CODES)
        responses = operation.setdefault("responses", {})
        for code, description in codes.items():
            responses.setdefault(
                code, {"content": {PROBLEM_TYPE: {"schema": ref}}, "description": description}
            )
        return operation


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "casework.api.auth.ApiKeyAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key of the rights holder: `Authorization: Bearer dsk_…`.",
        }
