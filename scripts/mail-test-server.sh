#!/usr/bin/env bash
# A throwaway Postfix instance for tests (the mail channel's real mail server).
#
#   scripts/mail-test-server.sh start DIR   configure an instance in DIR/etc (queue, data, mail under
#                                           the instance folder), listen on a free 127.0.0.1 port, wait
#                                           until it answers SMTP, then write what tests need to DIR:
#                                             DIR/smtp_port      the SMTP port (127.0.0.1)
#                                             DIR/maildir_path   the Maildir receiving *@test.customsdesk
#                                             DIR/pipe_command_path  the file where tests write the
#                                                                shell command that receives mail for
#                                                                servicedesk@test.customsdesk
#                                             DIR/inbound_path   where piped mail goes while no
#                                                                pipe_command is set (one file per message)
#                                             DIR/run_user       the user the pipe and mailbox run as
#   scripts/mail-test-server.sh stop DIR    stop the instance and delete DIR.
#
# Domain test.customsdesk: servicedesk@ is piped (pipe(8), as run_user, argv = the pipe command,
# message on stdin; exit 75 makes Postfix retry, as in production); every other address is
# delivered to the one Maildir. Nothing is relayed anywhere else (no relayhost, loopback only).
#
# Postfix's master must run as root: when not root the script fails and says so (tests that need
# the server then fail with that message rather than skip). Environment: POSTFIX_DAEMON_DIR
# (default: postconf's daemon_directory).
set -euo pipefail

DOMAIN=test.customsdesk
RUN_USER=customsdesk-test

die() { echo "mail-test-server: $*" >&2; exit 1; }
usage() { die "usage: $0 start|stop DIR"; }

[[ $# -eq 2 ]] || usage
cmd=$1
dir=$2
[[ -n "$dir" && "$dir" != "/" ]] || die "refusing DIR '$dir'"
mkdir -p "$(dirname "$dir")"
dir=$(cd "$(dirname "$dir")" && pwd)/$(basename "$dir")

command -v postfix >/dev/null || [[ -x /usr/sbin/postfix ]] \
  || die "postfix not found: install it (Debian: scripts/install-deps.sh test, or apt-get install postfix)"
PATH=$PATH:/usr/sbin:/sbin

# The instance's own files: DIR itself, or a folder under /tmp when the postfix user cannot reach DIR
# (a checkout inside a private folder); its path is then kept in DIR/instance.
instance_dir() {
  if [[ -s "$dir/instance" ]]; then cat "$dir/instance"; else echo "$dir"; fi
}

running() {
  local inst
  inst=$(instance_dir)
  [[ -f "$inst/etc/main.cf" && -s "$dir/smtp_port" ]] || return 1
  postfix -c "$inst/etc" status >/dev/null 2>&1 || return 1
  smtp_answers "$(cat "$dir/smtp_port")"
}

# In a subshell: a failed `exec` redirection would end the script itself.
smtp_answers() (
  port=$1
  exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
  IFS= read -r -t 5 line <&3 || exit 1
  printf 'QUIT\r\n' >&3 || true
  [[ $line == 220* ]]
) 2>/dev/null

stop_instance() {
  local inst
  inst=$(instance_dir)
  if [[ -f "$inst/etc/main.cf" ]]; then
    postfix -c "$inst/etc" stop >/dev/null 2>&1 || true
    # postfix stop returns before the master exits; wait for its pid file lock to go.
    for _ in $(seq 1 50); do
      postfix -c "$inst/etc" status >/dev/null 2>&1 || break
      sleep 0.1
    done
    postfix -c "$inst/etc" abort >/dev/null 2>&1 || true
  fi
  [[ "$inst" != "$dir" && "$inst" == /tmp/customsdesk-mail.* ]] && rm -rf "$inst"
  rm -rf "$dir"
}

free_port() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 30000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  die "no free port found"
}

write_config() {
  local inst=$1 port=$2 uid gid daemon_dir
  uid=$(id -u "$RUN_USER")
  gid=$(id -g "$RUN_USER")
  daemon_dir=${POSTFIX_DAEMON_DIR:-$(postconf -d -h daemon_directory 2>/dev/null || echo /usr/lib/postfix/sbin)}
  cat >"$inst/etc/main.cf" <<CONF
# Throwaway test instance written by scripts/mail-test-server.sh: do not use for real mail.
compatibility_level = 3.6
queue_directory = $inst/queue
data_directory = $inst/data
daemon_directory = $daemon_dir
command_directory = /usr/sbin
mail_owner = postfix
setgid_group = postdrop
myhostname = mail.$DOMAIN
mydomain = $DOMAIN
myorigin = $DOMAIN
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination =
relayhost =
relay_domains =
local_transport = error:local delivery is disabled in the test instance
virtual_mailbox_domains = $DOMAIN
virtual_mailbox_base = $inst/mail
virtual_mailbox_maps = static:maildir/
virtual_minimum_uid = 1
virtual_uid_maps = static:$uid
virtual_gid_maps = static:$gid
transport_maps = texthash:$inst/etc/transport
customsdeskpipe_destination_recipient_limit = 1
# Nothing ever leaves the machine: only test.customsdesk is accepted (others: 554 at RCPT TO), and
# any other delivery, e.g. a bounce to a sender elsewhere, ends in the error transport.
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions = reject_unauth_destination, permit
default_transport = error:the test instance delivers nowhere else
relay_transport = error:the test instance delivers nowhere else
maillog_file = $inst/maillog
maillog_file_prefixes = $inst
biff = no
alias_maps =
alias_database =
smtputf8_enable = no
message_size_limit = 52428800
virtual_mailbox_limit = 0
queue_run_delay = 5s
minimal_backoff_time = 5s
maximal_backoff_time = 10s
delay_warning_time = 0
CONF
  cat >"$inst/etc/master.cf" <<CONF
# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:$port inet n  -       n       -       -       smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
customsdeskpipe unix -  n       n       -       -       pipe
  flags=Rq user=$RUN_USER argv=$inst/pipe.sh \${sender} \${recipient}
CONF
  printf 'servicedesk@%s customsdeskpipe:\n' "$DOMAIN" >"$inst/etc/transport"
  # The pipe: runs the instance's pipe_command (a shell command line, message on stdin) when a test wrote
  # one, else keeps the message as a file in DIR/inbound. Its exit status is Postfix's (75 = retry).
  cat >"$inst/pipe.sh" <<SH
#!/bin/sh
if [ -s "$inst/pipe_command" ]; then
  exec /bin/sh -c "\$(cat "$inst/pipe_command")"
fi
f="$inst/inbound/\$(date +%s).\$\$.eml"
cat >"\$f.tmp" && mv "\$f.tmp" "\$f"
SH
  chmod 755 "$inst/pipe.sh"
}

start_instance() {
  if running; then
    echo "mail-test-server: already running on 127.0.0.1:$(cat "$dir/smtp_port")"
    return
  fi
  [[ $(id -u) -eq 0 ]] || die "Postfix's master process must start as root and this runs as $(id -un): run the mail server tests as root (as CI does), or start this script with sudo"
  id -u postfix >/dev/null 2>&1 || die "the postfix user is missing: install the postfix package"
  getent group postdrop >/dev/null || die "the postdrop group is missing: install the postfix package"
  if ! id -u "$RUN_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$RUN_USER" \
      || die "cannot create the unprivileged user $RUN_USER (useradd failed)"
  fi
  stop_instance  # stale leftovers of a killed run
  mkdir -p "$dir"
  local inst="$dir"
  if ! runuser -u postfix -- test -x "$dir" || ! runuser -u "$RUN_USER" -- test -x "$dir"; then
    inst=$(mktemp -d /tmp/customsdesk-mail.XXXXXX)
    chmod 755 "$inst"
    echo "$inst" >"$dir/instance"
  fi
  mkdir -p "$inst/etc" "$inst/queue" "$inst/data" "$inst/mail/maildir"/{new,cur,tmp} "$inst/inbound"
  chown postfix "$inst/data"
  chown -R "$RUN_USER" "$inst/mail" "$inst/inbound"
  chmod 755 "$inst" "$inst/etc" "$inst/mail"
  : >"$inst/pipe_command"
  chmod 644 "$inst/pipe_command"

  local attempt port
  for attempt in 1 2 3 4 5; do
    port=$(free_port)
    write_config "$inst" "$port"
    postfix -c "$inst/etc" set-permissions >/dev/null 2>&1 || true
    if postfix -c "$inst/etc" check >"$dir/check.log" 2>&1 && postfix -c "$inst/etc" start >"$dir/start.log" 2>&1; then
      for _ in $(seq 1 100); do
        if smtp_answers "$port"; then
          echo "$port" >"$dir/smtp_port"
          echo "$inst/mail/maildir" >"$dir/maildir_path"
          echo "$inst/inbound" >"$dir/inbound_path"
          echo "$inst/pipe_command" >"$dir/pipe_command_path"
          echo "$RUN_USER" >"$dir/run_user"
          echo "mail-test-server: started on 127.0.0.1:$port (mail for *@$DOMAIN in $inst/mail/maildir)"
          return
        fi
        sleep 0.1
      done
      postfix -c "$inst/etc" abort >/dev/null 2>&1 || true
    fi
    echo "mail-test-server: start on port $port failed (attempt $attempt), retrying" >&2
    cat "$dir/check.log" "$dir/start.log" >&2 2>/dev/null || true
  done
  tail -n 30 "$inst/maillog" >&2 2>/dev/null || true
  die "the Postfix instance did not start; see $inst/maillog"
}

case "$cmd" in
  start) start_instance ;;
  stop) stop_instance; echo "mail-test-server: stopped, removed $dir" ;;
  *) usage ;;
esac
