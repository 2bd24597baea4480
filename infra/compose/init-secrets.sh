#!/bin/sh
# First start of docker-compose.yml: generates every secret the stack needs into $1/vocflow.env
# (mode 0600), once. Later starts keep the file, so keys and passwords survive restarts.
# Delete the `secrets` volume to rotate everything (the stores then need their data volumes reset too).
set -eu
dir="${1:-/secrets}"
file="$dir/vocflow.env"
mkdir -p "$dir"
if [ -s "$file" ]; then
  echo "secrets: keeping $file"
  exit 0
fi
# 32 random bytes, URL-safe base64 without padding (Redis URLs, bearer keys, URL tokens).
token() { head -c 32 /dev/urandom | base64 | tr -d '\n=' | tr '+/' '-_'; }
# Standard Webhooks secret: whsec_ + base64 of 32 random bytes.
whsec() { printf 'whsec_%s' "$(head -c 32 /dev/urandom | base64 | tr -d '\n')"; }
redis_password="$(token)"
umask 077
tmp="$file.tmp"
cat > "$tmp" <<ENV
REDIS_PASSWORD=$redis_password
REDIS_URL=redis://:$redis_password@redis:6379
S3_ACCESS_KEY_ID=vocflow-$(token | cut -c1-12)
S3_SECRET_ACCESS_KEY=$(token)
INGEST_API_KEYS=vf_in_$(token)
QUERY_API_KEYS=vf_q_$(token)
WEBHOOK_SECRET_TYPEFORM=$(token)
WEBHOOK_SECRET_TALLY=$(token)
WEBHOOK_SECRET_DELIGHTED=$(token)
WEBHOOK_SECRET_QUALTRICS=$(token)
WEBHOOK_SECRET_JOTFORM=$(token)
WEBHOOK_SECRET_FORMBRICKS=$(whsec)
WEBHOOK_SECRET_GENERIC=$(whsec)
ENV
mv "$tmp" "$file"
# The services run as `node` (uid 1000); the stores read the file as root before dropping privileges.
chown 1000:1000 "$file" 2>/dev/null || true
echo "secrets: generated $file (read them with: docker compose run --rm secrets cat /secrets/vocflow.env)"
