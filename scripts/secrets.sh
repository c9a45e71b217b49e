#!/usr/bin/env bash
# Broker's local secrets, readable by the user running this script only:  scripts/secrets.sh DIR
# Makes DIR mode 700 and creates, once, admin.key (brk_...), callback.secret and pg.password (48 hex characters each),
# and secrets.key (the base64 of 32 random bytes: Secrets:Key, which seals the secrets ops register for jobs);
# every file in DIR is left mode 600. scripts/run.sh keeps its secrets in .local/ this way; the Slurm tenancy tests check
# that a team's job cannot read a directory made by it.
set -euo pipefail
dir=${1:?usage: scripts/secrets.sh DIR}
umask 077
install -d -m 700 "$dir"
chmod 700 "$dir"
secret() {
    [ -s "$1" ] || printf '%s%s\n' "${2:-}" "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$1"
}
secret "$dir/admin.key" brk_
secret "$dir/callback.secret"
secret "$dir/pg.password"
[ -s "$dir/secrets.key" ] || head -c 32 /dev/urandom | base64 > "$dir/secrets.key"
for file in "$dir"/* "$dir"/.[!.]*; do
    if [ -f "$file" ]; then chmod 600 "$file"; fi
done
