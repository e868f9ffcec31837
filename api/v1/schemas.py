"""Request (`XIn`) and response (`XOut`) bodies of API v1.

They are the public contract, kept apart from the tables so the database can change without
breaking clients; limits here only reject obviously bad input early, business rules stay in
the domain.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, StringConstraints

from roadside_console.domain.core.auth import Role

TokenName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class HealthOut(BaseModel):
    """The API answers and its database does too."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"status": "ok", "database": "ok", "version": "1"}]}
    )

    status: Literal["ok"]
    database: Literal["ok"]
    version: str


class TokenIn(BaseModel):
    """Credentials of a console user and a name for the new token."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "workspace": "roadside-atl",
                    "email": "dispatch@example.com",
                    "password": "correct horse battery",
                    "name": "Fleet integration",
                }
            ]
        }
    )

    workspace: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
    ]
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=320)]
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    name: TokenName


class TokenOut(BaseModel):
    """A new API token; `token` is shown only in this response."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "0b7c6a1e-3f2d-4e5a-9b8c-7d6e5f4a3b2c",
                    "name": "Fleet integration",
                    "token": "rsk_Ab3dE6gH_…",
                }
            ]
        }
    )

    id: uuid.UUID
    name: str
    token: str


class MeOut(BaseModel):
    """Who the bearer token acts as."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "user_id": "5a1e2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b",
                    "tenant_id": "7c8d9e0f-1a2b-4c3d-8e4f-5a6b7c8d9e0f",
                    "role": "dispatcher",
                    "name": "Dana Dispatcher",
                }
            ]
        }
    )

    user_id: uuid.UUID
    tenant_id: uuid.UUID
    role: Role
    name: str
