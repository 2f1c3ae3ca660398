#!/usr/bin/env bash
# Local RabbitMQ, Redis and PostgreSQL for development and tests: installs the
# server packages where missing, runs one private instance of each on
# 127.0.0.1 only, with all data, logs, sockets and pid files under
# var/services/ in the repository, waits until each really answers, and stops
# them. Any system-wide instance (default ports, /var/lib/...) is never used.
#
# Usage: scripts/services.sh start|stop|restart|status|env [rabbitmq|redis|postgres ...]
#        scripts/services.sh rabbitmqctl ARGS...   rabbitmqctl against our node
#   start    install what is missing, start what is not running, wait until
#            ready, make sure users/roles/database exist. A quick no-op when
#            everything already runs (it says so). Data is kept across stops.
#   stop     stop what runs (also RabbitMQ's epmd); fine when nothing runs.
#   status   one line per service; exit 0 when all named ones run, 3 otherwise.
#   env      `export` lines for the project's programs and tests:
#              eval "$(scripts/services.sh env)"
#            EXCHANGE_AMQP_URL       amqp://USER:PASS@127.0.0.1:PORT/VHOST
#            EXCHANGE_RABBITMQCTL    this script's rabbitmqctl (benchmarks read RabbitMQ's counters)
#            EXCHANGE_REDIS_URL      redis://default:PASS@127.0.0.1:PORT (requirepass)
#            EXCHANGE_PG_URL         postgresql://exchange_writer:PASS@127.0.0.1:PORT/exchange
#            EXCHANGE_PG_READER_URL  postgresql://exchange_reader:PASS@127.0.0.1:PORT/exchange
#   No service names = all three.
#
# Settings (environment variables; none is needed). A value given when
# running `start` is remembered in var/services/settings.env and used by
# later runs without it, so status/env/stop always describe what runs;
# passwords not given are generated once and kept there too (mode 600).
# rm -rf var/services (after `stop`) forgets everything, data included.
#   EXCHANGE_SERVICES_DIR              where everything lives        [REPO/var/services, or
#                                      /var/tmp/exchange-services-HASH when root runs it from a
#                                      checkout the service users cannot reach]
#   EXCHANGE_SERVICES_TIMEOUT          seconds to wait for each service to be ready or stop [60]
#   EXCHANGE_SERVICES_NO_INSTALL       1 = never install packages, fail if missing [0]
#   EXCHANGE_RABBITMQ_PORT             AMQP port                     [5673]
#   EXCHANGE_RABBITMQ_DIST_PORT        Erlang distribution port      [25673]
#   EXCHANGE_RABBITMQ_EPMD_PORT        our own epmd's port           [4370]
#   EXCHANGE_RABBITMQ_NODENAME         Erlang node name              [exchange@localhost]
#   EXCHANGE_RABBITMQ_MANAGEMENT_PORT  management UI/API port; empty = plugin off [empty]
#   EXCHANGE_RABBITMQ_USER             AMQP user (administrator tag) [exchange]
#   EXCHANGE_RABBITMQ_PASSWORD         its password                  [generated]
#   EXCHANGE_RABBITMQ_VHOST            its virtual host              [exchange]
#   EXCHANGE_REDIS_PORT                Redis port                    [6380]
#   EXCHANGE_REDIS_PASSWORD            Redis requirepass             [generated]
#   EXCHANGE_PG_PORT                   PostgreSQL port               [5433]
#   EXCHANGE_PG_DB                     database, owned by the writer [exchange]
#   EXCHANGE_PG_WRITER_USER            read-write role (migrations, COPY) [exchange_writer]
#   EXCHANGE_PG_WRITER_PASSWORD        its password                  [generated]
#   EXCHANGE_PG_READER_USER            read-only analytics role      [exchange_reader]
#   EXCHANGE_PG_READER_PASSWORD        its password                  [generated]
# Names: roles, database and RabbitMQ user/vhost use letters, digits and _
# (PostgreSQL names: lower case); passwords use letters, digits and . _ ~ -
# so that they need no quoting or escaping in URLs and configuration files.
#
# Layout (RUN = var/services):
#   RUN/settings.env                   remembered settings and passwords (600)
#   RUN/rabbitmq/  mnesia/ (data), log/rabbitmq.log, log/startup.log, rabbitmq.conf,
#                  definitions.json, .erlang.cookie, rabbitmq.pid
#   RUN/redis/     data/dump.rdb, log/redis.log, redis.conf, redis.sock, redis.pid
#   RUN/postgres/  data/ (PGDATA), log/postgres.log, run/ (unix socket)
# Run as root, each server runs as its package's user (rabbitmq, redis,
# postgres: PostgreSQL refuses root; RabbitMQ's files must be its user's);
# run as another user, everything runs as that user (installing still needs sudo).
# Packages are installed with scripts/install-deps.sh, which keeps Debian from
# starting the system-wide servers; those would use the default ports anyway.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ME=scripts/services.sh
ALL_SERVICES=(rabbitmq redis postgres)

die() { echo "$ME: error: $*" >&2; exit 1; }
say() { echo "$ME: $*"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
secs_since() { local d=$(( $(now_ms) - $1 )); printf '%d.%d s' $((d / 1000)) $(((d % 1000) / 100)); }
rel() { local p=$1; [[ $p == "$ROOT"/* ]] && p=${p#"$ROOT"/}; echo "$p"; }

# ---------------------------------------------------------------- settings
# True when every folder from / down to $1 may be searched by other users:
# the service users (postgres, rabbitmq, redis) must pass through them.
world_searchable() {
  local d=$1
  while [[ -n $d && $d != / ]]; do
    (( 8#$(stat -c %a "$d") & 1 )) || return 1
    d=$(dirname "$d")
  done
}
# Default: var/services in the repository; when run as root from a checkout
# the service users cannot reach (under /root, say), a folder of its own in
# /var/tmp, named after the checkout so that two checkouts do not share one.
default_services_dir() {
  if [[ $(id -u) -ne 0 ]] || world_searchable "$ROOT"; then
    echo "$ROOT/var/services"
  else
    echo "/var/tmp/exchange-services-$(echo -n "$ROOT" | md5sum | cut -c1-8)"
  fi
}
SVC_DIR=${EXCHANGE_SERVICES_DIR:-$(default_services_dir)}
[[ $SVC_DIR == /* ]] || SVC_DIR=$PWD/$SVC_DIR
TIMEOUT=${EXCHANGE_SERVICES_TIMEOUT:-60}
NO_INSTALL=${EXCHANGE_SERVICES_NO_INSTALL:-0}
SETTINGS_FILE=$SVC_DIR/settings.env
[[ $TIMEOUT =~ ^[1-9][0-9]*$ ]] || die "EXCHANGE_SERVICES_TIMEOUT must be a whole number of seconds, not '$TIMEOUT'"

# name  default  validation-regex
SETTINGS=(
  "EXCHANGE_RABBITMQ_PORT|5673|port"
  "EXCHANGE_RABBITMQ_DIST_PORT|25673|port"
  "EXCHANGE_RABBITMQ_EPMD_PORT|4370|port"
  "EXCHANGE_RABBITMQ_NODENAME|exchange@localhost|^[A-Za-z0-9_-]+@[A-Za-z0-9.-]+$"
  "EXCHANGE_RABBITMQ_MANAGEMENT_PORT||optport"
  "EXCHANGE_RABBITMQ_USER|exchange|^[A-Za-z0-9_]+$"
  "EXCHANGE_RABBITMQ_PASSWORD|@generate|password"
  "EXCHANGE_RABBITMQ_VHOST|exchange|^[A-Za-z0-9_]+$"
  "EXCHANGE_REDIS_PORT|6380|port"
  "EXCHANGE_REDIS_PASSWORD|@generate|password"
  "EXCHANGE_PG_PORT|5433|port"
  "EXCHANGE_PG_DB|exchange|^[a-z_][a-z0-9_]*$"
  "EXCHANGE_PG_WRITER_USER|exchange_writer|^[a-z_][a-z0-9_]*$"
  "EXCHANGE_PG_WRITER_PASSWORD|@generate|password"
  "EXCHANGE_PG_READER_USER|exchange_reader|^[a-z_][a-z0-9_]*$"
  "EXCHANGE_PG_READER_PASSWORD|@generate|password"
)
declare -A CFG=()

new_password() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }

# Effective value of each setting: the environment, else settings.env, else
# the default (a new password for @generate). Writes settings.env when
# `save` is given or when it was missing or incomplete.
load_settings() {
  local save=${1:-} line name def check value stored_count=0
  declare -A stored=()
  if [[ -f $SETTINGS_FILE ]]; then
    while IFS= read -r line; do
      [[ $line =~ ^(EXCHANGE_[A-Z_]+)=(.*)$ ]] && stored[${BASH_REMATCH[1]}]=${BASH_REMATCH[2]}
    done <"$SETTINGS_FILE"
  fi
  for line in "${SETTINGS[@]}"; do
    IFS='|' read -r name def check <<<"$line"
    if [[ -n ${!name+x} ]]; then
      value=${!name}
    elif [[ -n ${stored[$name]+x} ]]; then
      value=${stored[$name]}; stored_count=$((stored_count + 1))
    elif [[ $def == @generate ]]; then
      value=$(new_password)
    else
      value=$def
    fi
    case $check in
      port) [[ $value =~ ^[0-9]+$ ]] && ((value >= 1 && value <= 65535)) \
              || die "$name must be a port number, not '$value'" ;;
      optport) [[ -z $value || ($value =~ ^[0-9]+$ && value -ge 1 && value -le 65535) ]] \
              || die "$name must be empty or a port number, not '$value'" ;;
      password) [[ $value =~ ^[A-Za-z0-9._~-]{8,}$ ]] \
              || die "$name: use at least 8 of the characters A-Z a-z 0-9 . _ ~ -" ;;
      *) [[ $value =~ $check ]] || die "$name='$value' does not match $check" ;;
    esac
    CFG[$name]=$value
  done
  if [[ -n $save || $stored_count -ne ${#SETTINGS[@]} ]]; then
    mkdir -p "$SVC_DIR"
    local tmp
    tmp=$(mktemp "$SVC_DIR/.settings.XXXXXX")
    {
      echo "# Written by $ME: the settings of the local services (see the top of that script)."
      echo "# An environment variable of the same name overrides a line here at the next start."
      for line in "${SETTINGS[@]}"; do
        name=${line%%|*}
        echo "$name=${CFG[$name]}"
      done
    } >"$tmp"
    chmod 600 "$tmp"
    mv -f "$tmp" "$SETTINGS_FILE"
  fi
}

# ---------------------------------------------------------------- helpers
IS_ROOT=0; [[ $(id -u) -eq 0 ]] && IS_ROOT=1
SELF=$(id -un)
svc_user() {  # the OS user a service runs as
  if ((IS_ROOT)); then
    case $1 in rabbitmq) echo rabbitmq ;; redis) echo redis ;; postgres) echo postgres ;; esac
  else
    echo "$SELF"
  fi
}

# as_cmd USER: sets AS_CMD to the command prefix that runs a program as USER
# in a clean environment (VAR=value words may follow it, as for env).
as_cmd() {
  AS_CMD=()
  [[ $1 == "$SELF" ]] || AS_CMD=(setpriv --reuid="$1" --regid="$1" --init-groups --)
  AS_CMD+=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
           LANG=C.UTF-8 LC_ALL=C.UTF-8 USER="$1" LOGNAME="$1")
}
# run_as USER [VAR=value...] command args...
# (fd 9, our lock, is closed: a daemon must not hold it.)
run_as() { local AS_CMD; as_cmd "$1"; shift; "${AS_CMD[@]}" "$@" 9>&-; }

# alive PID: the process exists and is not a zombie.
alive() {
  local pid=$1 state
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ -r /proc/$pid/stat ]] || return 1
  state=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}
pid_from() { [[ -f $1 ]] && tr -dc 0-9 <"$1" || true; }
# live_pid PIDFILE COMM: the pid in PIDFILE when that process lives and is
# COMM (a stale pid file whose number was reused after a reboot is not ours).
live_pid() {
  local p; p=$(pid_from "$1")
  alive "$p" && [[ $(cat "/proc/$p/comm" 2>/dev/null) == "$2" ]] && echo "$p"
}

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

need_free_port() {  # PORT SETTING-NAME WHAT
  if port_open "$1"; then
    die "$3: port $1 on 127.0.0.1 is already in use by another program (not ours: our pid file shows nothing running); choose another with $2=PORT"
  fi
}

# make_dir USER MODE DIR...: create, and make sure USER owns it.
make_dir() {
  local user=$1 mode=$2; shift 2
  local d
  for d in "$@"; do
    mkdir -p "$d"
    if ((IS_ROOT)); then
      chown "$user:" "$d"
    elif [[ ! -O $d ]]; then
      die "$(rel "$d") belongs to $(stat -c %U "$d"), not $SELF: it was created by a run as root; run this script as root (or sudo), or remove $(rel "$SVC_DIR")"
    fi
    chmod "$mode" "$d"
  done
}

# A service user must be able to reach its folder through every parent.
check_reachable() {  # USER DIR
  if ! run_as "$1" test -w "$2"; then
    die "user $1 cannot reach or write $2 (a parent folder is not searchable by it?); set EXCHANGE_SERVICES_DIR to a folder it can reach, e.g. /var/tmp/exchange-services"
  fi
}

show_log_tail() {  # FILE...
  local f
  for f in "$@"; do
    [[ -s $f ]] || continue
    echo "---- last lines of $(rel "$f"):" >&2
    tail -n 15 "$f" >&2 || true
  done
}

# install_servers SERVICE...: the Debian packages of the named services.
install_servers() {
  local pkgs=() s
  for s in "$@"; do
    case $s in
      rabbitmq) [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || pkgs+=(rabbitmq-server) ;;
      redis) [[ -x /usr/bin/redis-server && -x /usr/bin/redis-cli ]] || pkgs+=(redis-server) ;;
      postgres) pg_bindir_latest >/dev/null && [[ -x /usr/bin/psql ]] || pkgs+=(postgresql) ;;
    esac
  done
  [[ ${#pkgs[@]} -eq 0 ]] && return 0
  [[ $NO_INSTALL == 1 ]] && die "missing packages: ${pkgs[*]} (EXCHANGE_SERVICES_NO_INSTALL=1; install them with scripts/install-deps.sh)"
  local t0; t0=$(now_ms)
  "$ROOT/scripts/install-deps.sh" "${pkgs[@]}" || die "installing ${pkgs[*]} failed (see above)"
  say "installed ${pkgs[*]} in $(secs_since "$t0")"
}

# ================================================================ RabbitMQ
RMQ_DIR=$SVC_DIR/rabbitmq
RMQ_PIDFILE=$RMQ_DIR/rabbitmq.pid
RMQ_LOG=$RMQ_DIR/log/rabbitmq.log
RMQ_STARTUP_LOG=$RMQ_DIR/log/startup.log
RMQ_BIN=/usr/lib/rabbitmq/bin

rmq_env() {  # the environment every RabbitMQ program gets (server and CLI)
  local loopback='-kernel inet_dist_use_interface {127,0,0,1}'
  # Erlang schedulers busy-wait by default: on a small shared machine that
  # takes CPU from the engine and the clients for nothing.
  local no_spin='+sbwt none +sbwtdcpu none +sbwtdio none'
  RMQ_ENV=(
    HOME="$RMQ_DIR"                                   # .erlang.cookie is read from here
    RABBITMQ_CONF_ENV_FILE="$RMQ_DIR/rabbitmq-env.conf"   # not /etc/rabbitmq's
    RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq.conf"
    RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_DIR/advanced.config"
    RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins"
    RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia"
    RABBITMQ_LOG_BASE="$RMQ_DIR/log"
    RABBITMQ_LOGS="$RMQ_LOG"
    RABBITMQ_PID_FILE="$RMQ_PIDFILE"
    RABBITMQ_NODENAME="${CFG[EXCHANGE_RABBITMQ_NODENAME]}"
    RABBITMQ_USE_LONGNAME=false
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    RABBITMQ_NODE_PORT="${CFG[EXCHANGE_RABBITMQ_PORT]}"
    RABBITMQ_DIST_PORT="${CFG[EXCHANGE_RABBITMQ_DIST_PORT]}"
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="$loopback $no_spin ${EXCHANGE_RMQ_EXTRA:-}"
    RABBITMQ_CTL_ERL_ARGS="$loopback"
    ERL_EPMD_PORT="${CFG[EXCHANGE_RABBITMQ_EPMD_PORT]}"
    ERL_EPMD_ADDRESS=127.0.0.1
    ERL_CRASH_DUMP="$RMQ_DIR/log/erl_crash.dump"
  )
}

rmqctl() {  # rabbitmqctl ARGS... against our node, as the node's user
  rmq_env
  (cd "$RMQ_DIR" && run_as "$(svc_user rabbitmq)" "${RMQ_ENV[@]}" \
    "$RMQ_BIN/rabbitmqctl" -n "${CFG[EXCHANGE_RABBITMQ_NODENAME]}" "$@")
}

rmq_pid() { live_pid "$RMQ_PIDFILE" beam.smp; }

rmq_url() {
  echo "amqp://${CFG[EXCHANGE_RABBITMQ_USER]}:$1@127.0.0.1:${CFG[EXCHANGE_RABBITMQ_PORT]}/${CFG[EXCHANGE_RABBITMQ_VHOST]}"
}
rmq_about() {  # what `start` and `status` say about a running node
  local m=${CFG[EXCHANGE_RABBITMQ_MANAGEMENT_PORT]}
  echo -n "$(rmq_url '***'), node ${CFG[EXCHANGE_RABBITMQ_NODENAME]}"
  [[ -n $m ]] && echo -n ", management http://127.0.0.1:$m/"
  echo ", log $(rel "$RMQ_LOG")"
}

rmq_write_config() {
  local u=${CFG[EXCHANGE_RABBITMQ_USER]} p=${CFG[EXCHANGE_RABBITMQ_PASSWORD]}
  local v=${CFG[EXCHANGE_RABBITMQ_VHOST]} mgmt=${CFG[EXCHANGE_RABBITMQ_MANAGEMENT_PORT]}
  local user; user=$(svc_user rabbitmq)
  echo "# Settings come from the environment given by $ME; this file keeps /etc/rabbitmq/rabbitmq-env.conf out." \
    >"$RMQ_DIR/rabbitmq-env.conf"
  # default_* create our user and vhost (and no guest) on the first boot;
  # load_definitions re-applies user, password, vhost and permissions at every boot.
  {
    echo "# Generated by $ME at each start; change the script or its settings, not this file."
    echo "default_user = $u"
    echo "default_pass = $p"
    echo "default_vhost = $v"
    echo "default_user_tags.administrator = true"
    echo "default_permissions.configure = .*"
    echo "default_permissions.read = .*"
    echo "default_permissions.write = .*"
    echo "load_definitions = $RMQ_DIR/definitions.json"
    echo "log.file.level = info"
    echo "log.console = false"
    if [[ -n $mgmt ]]; then
      echo "management.tcp.ip = 127.0.0.1"
      echo "management.tcp.port = $mgmt"
    fi
  } >"$RMQ_DIR/rabbitmq.conf"
  cat >"$RMQ_DIR/definitions.json" <<JSON
{
  "users": [{"name": "$u", "password": "$p", "tags": ["administrator"]}],
  "vhosts": [{"name": "$v"}],
  "permissions": [{"user": "$u", "vhost": "$v", "configure": ".*", "write": ".*", "read": ".*"}]
}
JSON
  if [[ -n $mgmt ]]; then echo '[rabbitmq_management].' >"$RMQ_DIR/enabled_plugins"
  else echo '[].' >"$RMQ_DIR/enabled_plugins"; fi
  chmod 600 "$RMQ_DIR/rabbitmq.conf" "$RMQ_DIR/definitions.json"
  ((IS_ROOT)) && chown "$user:" "$RMQ_DIR"/{rabbitmq-env.conf,rabbitmq.conf,definitions.json,enabled_plugins}
  if [[ ! -s $RMQ_DIR/.erlang.cookie ]]; then
    (umask 077; new_password | tr a-f A-F >"$RMQ_DIR/.erlang.cookie")
  fi
  ((IS_ROOT)) && chown "$user:" "$RMQ_DIR/.erlang.cookie"
  chmod 400 "$RMQ_DIR/.erlang.cookie"
}

rmq_start() {
  local t0 pid user port=${CFG[EXCHANGE_RABBITMQ_PORT]} launcher deadline
  t0=$(now_ms)
  user=$(svc_user rabbitmq)
  if pid=$(rmq_pid); then
    if port_open "$port"; then
      say "rabbitmq  already running (pid $pid): $(rmq_url '***')"
      return 0
    fi
    say "rabbitmq  is running (pid $pid) but not answering yet: waiting"
  else
    need_free_port "$port" EXCHANGE_RABBITMQ_PORT RabbitMQ
    need_free_port "${CFG[EXCHANGE_RABBITMQ_DIST_PORT]}" EXCHANGE_RABBITMQ_DIST_PORT "RabbitMQ (Erlang distribution)"
    [[ -n ${CFG[EXCHANGE_RABBITMQ_MANAGEMENT_PORT]} ]] && need_free_port \
      "${CFG[EXCHANGE_RABBITMQ_MANAGEMENT_PORT]}" EXCHANGE_RABBITMQ_MANAGEMENT_PORT "RabbitMQ management"
    make_dir "$user" 755 "$RMQ_DIR" "$RMQ_DIR/log"
    make_dir "$user" 750 "$RMQ_DIR/mnesia"
    check_reachable "$user" "$RMQ_DIR/mnesia"
    rmq_write_config
    rm -f "$RMQ_PIDFILE"
    rmq_env
    echo "== $(date '+%F %T') started by $ME" | tee -a "$RMQ_LOG" >>"$RMQ_STARTUP_LOG"
    ((IS_ROOT)) && chown "$user:" "$RMQ_STARTUP_LOG" "$RMQ_LOG"
    # Detached: own session, no terminal, output to the startup log. The
    # rabbitmq-server shell script stays as the parent of the Erlang VM;
    # RabbitMQ writes the VM's pid to rabbitmq.pid.
    as_cmd "$user"
    cd "$RMQ_DIR"
    setsid "${AS_CMD[@]}" "${RMQ_ENV[@]}" "$RMQ_BIN/rabbitmq-server" \
      >>"$RMQ_STARTUP_LOG" 2>&1 </dev/null 9>&- &
    launcher=$!
    disown
    cd "$ROOT"
  fi
  # Ready = the AMQP port accepts connections, then `rabbitmqctl await_startup`
  # (the broker has booted, definitions loaded), then our user can log in.
  deadline=$(( $(now_ms) + TIMEOUT * 1000 ))
  local fail
  fail="RabbitMQ did not become ready within $TIMEOUT s; see $(rel "$RMQ_LOG") and $(rel "$RMQ_STARTUP_LOG") (it may still be booting: '$ME start' waits again, '$ME stop' stops it)"
  until port_open "$port"; do
    if ! rmq_pid >/dev/null && { [[ -z ${launcher:-} ]] || ! alive "$launcher"; }; then
      show_log_tail "$RMQ_STARTUP_LOG" "$RMQ_LOG"
      die "RabbitMQ exited during start-up; see $(rel "$RMQ_LOG") and $(rel "$RMQ_STARTUP_LOG")"
    fi
    if (( $(now_ms) > deadline )); then show_log_tail "$RMQ_LOG"; die "$fail"; fi
    sleep 0.2
  done
  local left=$(( (deadline - $(now_ms)) / 1000 )); ((left < 5)) && left=5
  if ! rmqctl -q -t "$left" await_startup >/dev/null 2>"$RMQ_DIR/log/cli.err"; then
    show_log_tail "$RMQ_DIR/log/cli.err" "$RMQ_LOG"
    die "$fail"
  fi
  if ! rmqctl -q authenticate_user "${CFG[EXCHANGE_RABBITMQ_USER]}" "${CFG[EXCHANGE_RABBITMQ_PASSWORD]}" \
       >/dev/null 2>"$RMQ_DIR/log/cli.err"; then
    show_log_tail "$RMQ_DIR/log/cli.err"
    die "RabbitMQ runs but user ${CFG[EXCHANGE_RABBITMQ_USER]} cannot log in; see $(rel "$RMQ_LOG")"
  fi
  pid=$(rmq_pid) || die "RabbitMQ answered but its pid file $(rel "$RMQ_PIDFILE") is missing"
  say "rabbitmq  started in $(secs_since "$t0") (pid $pid): $(rmq_about)"
}

epmd_pids() {  # epmd processes serving our epmd port
  local d
  for d in /proc/[0-9]*; do
    [[ $(cat "$d/comm" 2>/dev/null) == epmd ]] && alive "${d#/proc/}" || continue
    { tr '\0' '\n' <"$d/environ"; } 2>/dev/null | grep -qx "ERL_EPMD_PORT=${CFG[EXCHANGE_RABBITMQ_EPMD_PORT]}" \
      && echo "${d#/proc/}"
  done
  return 0
}

rmq_stop() {
  local pid t0 deadline
  t0=$(now_ms)
  if pid=$(rmq_pid); then
    # SIGTERM makes RabbitMQ stop gracefully (what `rabbitmqctl stop` does, without the CLI's start-up).
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$(( $(now_ms) + TIMEOUT * 1000 ))
    while alive "$pid"; do
      if (( $(now_ms) > deadline )); then
        echo "$ME: RabbitMQ (pid $pid) did not stop within $TIMEOUT s; killing it (see $(rel "$RMQ_LOG"))" >&2
        kill -KILL "$pid" 2>/dev/null || true
        sleep 0.5
        break
      fi
      sleep 0.2
    done
    rm -f "$RMQ_PIDFILE"
    say "rabbitmq  stopped in $(secs_since "$t0")"
  else
    say "rabbitmq  not running"
  fi
  # Our epmd (on its own port) outlives the node; stop it too.
  local e
  for e in $(epmd_pids); do
    kill -TERM "$e" 2>/dev/null || true
  done
  for e in $(epmd_pids); do
    for _ in 1 2 3 4 5 6 7 8 9 10; do alive "$e" || break; sleep 0.1; done
    alive "$e" && kill -KILL "$e" 2>/dev/null || true
  done
  return 0
}

rmq_status() {
  local pid
  if pid=$(rmq_pid); then
    if port_open "${CFG[EXCHANGE_RABBITMQ_PORT]}"; then
      say "rabbitmq  running (pid $pid): $(rmq_about)"
    else
      say "rabbitmq  starting or stuck (pid $pid, port ${CFG[EXCHANGE_RABBITMQ_PORT]} not open); see $(rel "$RMQ_LOG")"
      return 1
    fi
  else
    say "rabbitmq  stopped"
    return 1
  fi
}

# ================================================================ Redis
REDIS_DIR=$SVC_DIR/redis
REDIS_PIDFILE=$REDIS_DIR/redis.pid
REDIS_LOG=$REDIS_DIR/log/redis.log

redis_pid() { live_pid "$REDIS_PIDFILE" redis-server; }
redis_url() { echo "redis://default:$1@127.0.0.1:${CFG[EXCHANGE_REDIS_PORT]}"; }
redis_cli() {
  REDISCLI_AUTH=${CFG[EXCHANGE_REDIS_PASSWORD]} redis-cli -h 127.0.0.1 -p "${CFG[EXCHANGE_REDIS_PORT]}" "$@"
}

redis_start() {
  local t0 pid user port=${CFG[EXCHANGE_REDIS_PORT]} deadline reply
  t0=$(now_ms)
  user=$(svc_user redis)
  if pid=$(redis_pid); then
    if [[ $(redis_cli ping 2>/dev/null) == PONG ]]; then
      say "redis     already running (pid $pid): $(redis_url '***')"
      return 0
    fi
    say "redis     is running (pid $pid) but not answering PING yet: waiting"
  else
    need_free_port "$port" EXCHANGE_REDIS_PORT Redis
    make_dir "$user" 755 "$REDIS_DIR" "$REDIS_DIR/log"
    make_dir "$user" 750 "$REDIS_DIR/data"
    check_reachable "$user" "$REDIS_DIR/data"
    local sock=$REDIS_DIR/redis.sock
    ((${#sock} < 100)) || die "the Redis socket path $sock is too long for a unix socket; set EXCHANGE_SERVICES_DIR to a shorter folder"
    cat >"$REDIS_DIR/redis.conf" <<CONF
# Generated by $ME at each start; change the script or its settings, not this file.
bind 127.0.0.1
protected-mode yes
port $port
unixsocket $sock
unixsocketperm 700
daemonize yes
supervised no
pidfile $REDIS_PIDFILE
logfile $REDIS_LOG
loglevel notice
dir $REDIS_DIR/data
dbfilename dump.rdb
save 3600 1 300 100 60 10000
appendonly no
requirepass ${CFG[EXCHANGE_REDIS_PASSWORD]}
CONF
    chmod 600 "$REDIS_DIR/redis.conf"
    ((IS_ROOT)) && chown "$user:" "$REDIS_DIR/redis.conf"
    rm -f "$REDIS_PIDFILE"
    if ! (cd "$REDIS_DIR" && run_as "$user" redis-server "$REDIS_DIR/redis.conf") \
         >"$REDIS_DIR/log/startup.log" 2>&1 </dev/null; then
      show_log_tail "$REDIS_DIR/log/startup.log" "$REDIS_LOG"
      die "redis-server failed to start; see $(rel "$REDIS_LOG")"
    fi
  fi
  deadline=$(( $(now_ms) + TIMEOUT * 1000 ))
  while :; do
    reply=$(redis_cli ping 2>&1 || true)
    [[ $reply == PONG ]] && break
    if (( $(now_ms) > deadline )); then
      show_log_tail "$REDIS_LOG"
      die "Redis did not become ready within $TIMEOUT s (last PING answer: ${reply:-none}); see $(rel "$REDIS_LOG")"
    fi
    if (( $(now_ms) - t0 > 2000 )) && ! redis_pid >/dev/null; then
      show_log_tail "$REDIS_LOG"
      die "Redis exited during start-up; see $(rel "$REDIS_LOG")"
    fi
    sleep 0.1
  done
  pid=$(redis_pid) || die "Redis answered but its pid file $(rel "$REDIS_PIDFILE") is missing"
  say "redis     started in $(secs_since "$t0") (pid $pid): $(redis_url '***'), log $(rel "$REDIS_LOG")"
}

redis_stop() {
  local pid t0 deadline
  t0=$(now_ms)
  if pid=$(redis_pid); then
    # SIGTERM: Redis saves its snapshot (save points are configured) and exits.
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$(( $(now_ms) + TIMEOUT * 1000 ))
    while alive "$pid"; do
      if (( $(now_ms) > deadline )); then
        echo "$ME: Redis (pid $pid) did not stop within $TIMEOUT s; killing it (see $(rel "$REDIS_LOG"))" >&2
        kill -KILL "$pid" 2>/dev/null || true
        break
      fi
      sleep 0.1
    done
    rm -f "$REDIS_PIDFILE"
    say "redis     stopped in $(secs_since "$t0")"
  else
    say "redis     not running"
  fi
}

redis_status() {
  local pid
  if pid=$(redis_pid); then
    if [[ $(redis_cli ping 2>/dev/null) == PONG ]]; then
      say "redis     running (pid $pid): $(redis_url '***'), log $(rel "$REDIS_LOG")"
    else
      say "redis     not answering PING (pid $pid); see $(rel "$REDIS_LOG")"
      return 1
    fi
  else
    say "redis     stopped"
    return 1
  fi
}

# ================================================================ PostgreSQL
PG_DIR=$SVC_DIR/postgres
PG_DATA=$PG_DIR/data
PG_RUN=$PG_DIR/run
PG_LOG=$PG_DIR/log/postgres.log

pg_bindir_latest() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [[ -n $d && -x $d/initdb ]] && echo "$d"
}
pg_bindir() {  # the binaries matching the data folder's version
  if [[ -f $PG_DATA/PG_VERSION ]]; then
    local v; v=$(cat "$PG_DATA/PG_VERSION")
    [[ -x /usr/lib/postgresql/$v/bin/pg_ctl ]] \
      || die "$(rel "$PG_DATA") was made by PostgreSQL $v, which is not installed (apt-get install postgresql-$v, or remove $(rel "$PG_DIR") to start afresh)"
    echo "/usr/lib/postgresql/$v/bin"
  else
    pg_bindir_latest || die "PostgreSQL server binaries not found under /usr/lib/postgresql"
  fi
}
pg_url() {  # USER-SETTING PASSWORD
  echo "postgresql://${CFG[$1]}:$2@127.0.0.1:${CFG[EXCHANGE_PG_PORT]}/${CFG[EXCHANGE_PG_DB]}"
}
pg_ctl_as() { (cd "$PG_DIR" && run_as "$(svc_user postgres)" "$(pg_bindir)/pg_ctl" -D "$PG_DATA" "$@"); }
pg_running() { [[ -f $PG_DATA/postmaster.pid ]] && pg_ctl_as status >/dev/null 2>&1; }
pg_pid() {
  local p; p=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null | tr -dc 0-9 || true)
  alive "$p" && [[ $(cat "/proc/$p/comm" 2>/dev/null) == postgres ]] && echo "$p"
}
pg_ready() { pg_isready -q -h 127.0.0.1 -p "${CFG[EXCHANGE_PG_PORT]}" -t 2 >/dev/null 2>&1; }

pg_init() {  # a new cluster: superuser = the OS user it runs as (peer auth on the socket only)
  local user=$1 bin t0
  bin=$(pg_bindir)
  t0=$(now_ms)
  rm -rf "$PG_DATA"
  make_dir "$user" 700 "$PG_DATA"
  if ! (cd "$PG_DIR" && run_as "$user" "$bin/initdb" -D "$PG_DATA" -U "$user" -E UTF8 --locale=C.UTF-8 \
          --auth-local=peer --auth-host=scram-sha-256) >"$PG_DIR/log/initdb.log" 2>&1; then
    show_log_tail "$PG_DIR/log/initdb.log"
    die "initdb failed; see $(rel "$PG_DIR/log/initdb.log")"
  fi
  cat >"$PG_DATA/pg_hba.conf" <<HBA
# Written by $ME. TYPE DATABASE USER ADDRESS METHOD
local   all   $user                 peer
local   all   all                   scram-sha-256
host    all   all   127.0.0.1/32    scram-sha-256
HBA
  echo "include_if_exists = 'exchange-services.conf'   # written by $ME at each start" >>"$PG_DATA/postgresql.conf"
  ((IS_ROOT)) && chown "$user:" "$PG_DATA/pg_hba.conf"
  say "postgres  new cluster in $(rel "$PG_DATA") ($(secs_since "$t0"))"
}

pg_setup_sql() {  # roles and database, idempotent; passwords reset to the settings each time
  cat <<SQL
\\set ON_ERROR_STOP on
\\set db '${CFG[EXCHANGE_PG_DB]}'
\\set writer '${CFG[EXCHANGE_PG_WRITER_USER]}'
\\set writer_pw '${CFG[EXCHANGE_PG_WRITER_PASSWORD]}'
\\set reader '${CFG[EXCHANGE_PG_READER_USER]}'
\\set reader_pw '${CFG[EXCHANGE_PG_READER_PASSWORD]}'
SELECT format('CREATE ROLE %I LOGIN', :'writer') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'writer') \\gexec
SELECT format('CREATE ROLE %I LOGIN', :'reader') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'reader') \\gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'writer', :'writer_pw') \\gexec
SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L', :'reader', :'reader_pw') \\gexec
SELECT format('ALTER ROLE %I SET default_transaction_read_only = on', :'reader') \\gexec
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'writer') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \\gexec
SELECT format('ALTER DATABASE %I OWNER TO %I', :'db', :'writer') \\gexec
SELECT format('REVOKE ALL ON DATABASE %I FROM PUBLIC', :'db') \\gexec
SELECT format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', :'db', :'reader') \\gexec
\\connect :db
-- The writer owns the database (and so schema public, PostgreSQL 15): it runs
-- the migrations. The reader may read everything the writer creates.
SELECT format('GRANT USAGE ON SCHEMA public TO %I', :'reader') \\gexec
SELECT format('GRANT SELECT ON ALL TABLES IN SCHEMA public TO %I', :'reader') \\gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I GRANT SELECT ON TABLES TO %I', :'writer', :'reader') \\gexec
SELECT format('ALTER DEFAULT PRIVILEGES FOR ROLE %I GRANT USAGE ON SCHEMAS TO %I', :'writer', :'reader') \\gexec
SQL
}

pg_start() {
  local t0 pid user port=${CFG[EXCHANGE_PG_PORT]} bin
  t0=$(now_ms)
  user=$(svc_user postgres)
  if pg_running && pid=$(pg_pid); then
    if pg_ready; then
      say "postgres  already running (pid $pid): $(pg_url EXCHANGE_PG_WRITER_USER '***')"
      return 0
    fi
    say "postgres  is running (pid $pid) but not accepting connections yet: waiting"
  else
    need_free_port "$port" EXCHANGE_PG_PORT PostgreSQL
    make_dir "$user" 755 "$PG_DIR" "$PG_DIR/log"
    make_dir "$user" 750 "$PG_RUN"
    check_reachable "$user" "$PG_DIR"
    local sock=$PG_RUN/.s.PGSQL.$port
    ((${#sock} < 100)) || die "the PostgreSQL socket path $sock is too long for a unix socket; set EXCHANGE_SERVICES_DIR to a shorter folder"
    [[ -f $PG_DATA/PG_VERSION ]] || pg_init "$user"
    cat >"$PG_DATA/exchange-services.conf" <<CONF
# Written by $ME at each start; change the script or its settings, not this file.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$PG_RUN'
unix_socket_permissions = 0770
# Sized for the trade history's bulk writes: the defaults (128MB buffers,
# a checkpoint every 1GB of WAL) checkpoint every few seconds at 300k trades/s.
shared_buffers = '512MB'
max_wal_size = '4GB'
checkpoint_timeout = '15min'
CONF
    ((IS_ROOT)) && chown "$user:" "$PG_DATA/exchange-services.conf"
    touch "$PG_LOG"; ((IS_ROOT)) && chown "$user:" "$PG_LOG"
    if ! pg_ctl_as -l "$PG_LOG" -w -t "$TIMEOUT" -s start >"$PG_DIR/log/pg_ctl.log" 2>&1; then
      show_log_tail "$PG_DIR/log/pg_ctl.log" "$PG_LOG"
      die "PostgreSQL did not become ready within $TIMEOUT s; see $(rel "$PG_LOG")"
    fi
  fi
  local deadline=$(( $(now_ms) + TIMEOUT * 1000 ))
  until pg_ready; do
    if (( $(now_ms) > deadline )); then
      show_log_tail "$PG_LOG"
      die "PostgreSQL did not become ready within $TIMEOUT s; see $(rel "$PG_LOG")"
    fi
    sleep 0.2
  done
  if ! pg_setup_sql | (cd "$PG_DIR" && run_as "$user" psql -X -q -h "$PG_RUN" -p "$port" -U "$user" -d postgres) \
       >"$PG_DIR/log/setup.log" 2>&1; then
    show_log_tail "$PG_DIR/log/setup.log"
    die "creating the PostgreSQL roles and database failed; see $(rel "$PG_DIR/log/setup.log")"
  fi
  # What the programs will do: log in over TCP with a password.
  if ! PGPASSWORD=${CFG[EXCHANGE_PG_WRITER_PASSWORD]} PGCONNECT_TIMEOUT=5 psql -X -q -At -w \
         -h 127.0.0.1 -p "$port" -U "${CFG[EXCHANGE_PG_WRITER_USER]}" -d "${CFG[EXCHANGE_PG_DB]}" \
         -c 'SELECT 1' >/dev/null 2>"$PG_DIR/log/setup.log"; then
    show_log_tail "$PG_DIR/log/setup.log"
    die "PostgreSQL runs but ${CFG[EXCHANGE_PG_WRITER_USER]} cannot log in; see $(rel "$PG_LOG")"
  fi
  pid=$(pg_pid) || die "PostgreSQL answered but $(rel "$PG_DATA")/postmaster.pid names no live process"
  say "postgres  started in $(secs_since "$t0") (pid $pid): $(pg_url EXCHANGE_PG_WRITER_USER '***'), log $(rel "$PG_LOG")"
}

pg_stop() {
  local t0; t0=$(now_ms)
  if [[ -f $PG_DATA/PG_VERSION ]] && pg_running; then
    if ! pg_ctl_as -m fast -w -t "$TIMEOUT" -s stop >"$PG_DIR/log/pg_ctl.log" 2>&1; then
      show_log_tail "$PG_DIR/log/pg_ctl.log" "$PG_LOG"
      die "PostgreSQL did not stop within $TIMEOUT s; see $(rel "$PG_LOG")"
    fi
    say "postgres  stopped in $(secs_since "$t0")"
  else
    say "postgres  not running"
  fi
}

pg_status() {
  local pid
  if [[ -f $PG_DATA/PG_VERSION ]] && pg_running && pid=$(pg_pid); then
    if pg_ready; then
      say "postgres  running (pid $pid): $(pg_url EXCHANGE_PG_WRITER_USER '***'), log $(rel "$PG_LOG")"
    else
      say "postgres  not accepting connections (pid $pid); see $(rel "$PG_LOG")"
      return 1
    fi
  else
    say "postgres  stopped"
    return 1
  fi
}

# ================================================================ main
usage() {
  sed -n '/^# Usage:/,/^#   No service names/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
  exit "${1:-2}"
}

cmd=${1:-}
[[ -n $cmd ]] || usage
shift
case $cmd in
  -h|--help|help) usage 0 ;;
  start|stop|restart|status|env|rabbitmqctl) ;;
  *) echo "$ME: unknown command '$cmd'" >&2; usage ;;
esac

services=()
if [[ $cmd != rabbitmqctl ]]; then
  for s in "$@"; do
    case $s in
      rabbitmq|rabbit|amqp) services+=(rabbitmq) ;;
      redis) services+=(redis) ;;
      postgres|postgresql|pg) services+=(postgres) ;;
      *) die "unknown service '$s' (rabbitmq, redis or postgres)" ;;
    esac
  done
  [[ ${#services[@]} -eq 0 ]] && services=("${ALL_SERVICES[@]}")
fi

# One run at a time: a second start waits for the first.
mkdir -p "$SVC_DIR"
exec 9>"$SVC_DIR/.lock"
if ! flock -w $((TIMEOUT * 4)) 9; then die "another $ME is still running (lock $(rel "$SVC_DIR")/.lock)"; fi

do_start() {
  local s t_all
  install_servers "${services[@]}"
  t_all=$(now_ms)
  for s in "${services[@]}"; do
    case $s in rabbitmq) rmq_start ;; redis) redis_start ;; postgres) pg_start ;; esac
  done
  say "ready ($(secs_since "$t_all")); connection settings: eval \"\$($ME env)\""
}
do_stop() {
  local s
  for s in "${services[@]}"; do
    case $s in rabbitmq) rmq_stop ;; redis) redis_stop ;; postgres) pg_stop ;; esac
  done
}

case $cmd in
  start) load_settings save; do_start ;;
  stop) load_settings; do_stop ;;
  restart) load_settings save; do_stop; do_start ;;
  status)
    load_settings
    rc=0
    for s in "${services[@]}"; do
      case $s in rabbitmq) rmq_status || rc=3 ;; redis) redis_status || rc=3 ;; postgres) pg_status || rc=3 ;; esac
    done
    exit $rc
    ;;
  env)
    load_settings
    echo "# local services ($ME); data and logs in $(rel "$SVC_DIR")"
    for s in "${services[@]}"; do
      case $s in
        rabbitmq)
          echo "export EXCHANGE_AMQP_URL='$(rmq_url "${CFG[EXCHANGE_RABBITMQ_PASSWORD]}")'"
          # how benchmarks read the broker's own counters (exchange-bench fix)
          echo "export EXCHANGE_RABBITMQCTL='$ROOT/$ME rabbitmqctl'"
          ;;
        redis) echo "export EXCHANGE_REDIS_URL='$(redis_url "${CFG[EXCHANGE_REDIS_PASSWORD]}")'" ;;
        postgres)
          echo "export EXCHANGE_PG_URL='$(pg_url EXCHANGE_PG_WRITER_USER "${CFG[EXCHANGE_PG_WRITER_PASSWORD]}")'"
          echo "export EXCHANGE_PG_READER_URL='$(pg_url EXCHANGE_PG_READER_USER "${CFG[EXCHANGE_PG_READER_PASSWORD]}")'"
          ;;
      esac
    done
    ;;
  rabbitmqctl)
    load_settings
    [[ -d $RMQ_DIR ]] || die "RabbitMQ has never been started here ($ME start rabbitmq)"
    rmqctl "$@"
    ;;
esac
