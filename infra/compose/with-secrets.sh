#!/bin/sh
# Runs a command with the generated secrets (see init-secrets.sh) in its environment. A variable the
# environment already sets to a non-empty value wins: put your own secrets in `.env` and they are used.
set -eu
file="${VOCFLOW_SECRETS_FILE:-/secrets/vocflow.env}"
if [ ! -r "$file" ]; then
  echo "with-secrets: $file is missing; the secrets service creates it on first start" >&2
  exit 1
fi
while IFS= read -r line; do
  case "$line" in '' | \#*) continue ;; esac
  name="${line%%=*}"
  value="${line#*=}"
  case "$name" in '' | [0-9]* | *[!A-Za-z0-9_]*) continue ;; esac
  eval "current=\${$name:-}"
  if [ -z "$current" ]; then export "$name=$value"; fi
done < "$file"
exec "$@"
