extension Constitution {
    /// The default constitution, as `crucible init` writes it and as a workspace without a
    /// CONSTITUTION.yaml runs under: the source documents' own, each sentence given a matcher.
    public static let defaultText = #"""
# CONSTITUTION.yaml: what Crucible, and the agent it improves, may do. Every action (a patch,
# a command, a file deletion, ...) is decided against it before it happens.
# Reference: docs/constitution.md. Signed: CONSTITUTION.yaml.sig (`crucible constitution sign`);
# a changed byte makes `crucible evolve` refuse to start until it is signed again.
#
# immutable_constraints deny (or, with effect: require_approval, need a human);
# supervised_operations need a human's approval; autonomous_operations allow once the evidence
# has every prerequisite in `requires` ("a|b": either). Anything no rule allows needs approval.
# Deny beats approval beats allow; a command is split as a shell would run it, each part decided.
version: "1.0"

immutable_constraints:
  - id: no_database_deletion
    rule: "Never delete databases without human approval"
    effect: require_approval
    match:
      - actions: [database]
        operations: ["drop*", "delete_all", "truncate*", "flush*", "destroy*", "purge*", "wipe*"]
      - content: ['(?i)\b(drop\s+(database|table|schema|collection)|truncate\s+table)\b', '(?i)\bdropDatabase\s*\(', '(?i)\bflushall\b']
      - commands: [dropdb, "redis-cli flushall", "redis-cli flushdb", "mysqladmin drop", "mongo *dropDatabase*", "mongosh *dropDatabase*"]
      - paths: ["*.db", "*.sqlite", "*.sqlite3", "/var/lib/postgresql/**", "/var/lib/mysql/**", "/var/lib/mongodb/**", "/var/lib/redis/**"]
        actions: [file_delete, command]

  - id: no_network_changes
    rule: "Never modify network/firewall configuration"
    match:
      - commands: ["iptables*", "ip6tables*", ebtables, arptables, nft, ufw, firewall-cmd, "ip route", "ip rule", "ip link set",
                   "ip link add", "ip link delete", "ip addr add", "ip addr del", "ip address add", "ip address del", "ip netns",
                   "ip tunnel", "route add", "route del", nmcli, netplan, ifconfig, ifup, ifdown, "sysctl net.*",
                   "systemctl firewalld", "systemctl nftables", "systemctl ufw", "systemctl iptables", "service firewalld", "service ufw"]
      - paths: ["/etc/iptables/**", "/etc/ufw/**", "/etc/firewalld/**", "/etc/nftables.conf", "/etc/nftables.d/**", "/etc/network/**",
                "/etc/netplan/**", "/etc/NetworkManager/**", "/etc/sysconfig/network-scripts/**", "/etc/hosts", "/etc/resolv.conf",
                "/etc/sysctl.conf", "/etc/sysctl.d/**"]
      - content: ['\b(iptables|ip6tables|ebtables|firewall-cmd)\b', '\bufw\s+(allow|deny|enable|disable|reject|limit|delete|reset|default)\b',
                  '\bnft\s+(add|delete|flush|insert|replace)\b', '\bip\s+(-\d\s+)?route\s+(add|del|delete|change|replace|flush|append)\b']

  - id: no_disabling_authentication
    rule: "Never disable authentication systems"
    match:
      - content: ['(?i)\b(auth|authentication|require_?auth|auth_?required|auth_?enabled|enable_?auth|login_?required|authentication_?required)["'']?\s*[:=]\s*["'']?(false|no|off|0|none|disabled)\b',
                  '(?i)\b(disable_?auth|no_?auth|skip_?auth|auth_?disabled|bypass_?auth)["'']?\s*[:=]\s*["'']?(true|yes|on|1)\b',
                  '(?i)--(no|disable|skip)-auth(entication)?\b', '(?i)--skip-grant-tables\b', '(?i)\bPermitEmptyPasswords\s+yes\b',
                  '(?i)\bAuthType\s+None\b']
      - commands: ["passwd -d", "passwd --delete", "usermod -p", pam-auth-update, authconfig, authselect]
      - paths: ["/etc/pam.d/**", "/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d/**", "/etc/sudoers", "/etc/sudoers.d/**", "/etc/shadow",
                "/etc/passwd", "/etc/gshadow", "/etc/security/**"]

  - id: no_secret_exposure
    rule: "Never expose secrets or credentials"
    match:
      - checks: [hardcoded_secrets]
      - commands: [printenv, env, "export -p", "gpg --export-secret-keys"]
      - commands: [echo, printf, print]
        command_text: ['\$\{?[A-Za-z_]*(SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|PRIVATE_KEY|CREDENTIAL|ACCESS_KEY)[A-Za-z_]*']
      - commands: [cat, head, tail, less, more, strings, od, xxd, base64, cp, scp, rsync, curl, wget, nc, ncat, grep, rg, awk, sed, tee]
        command_text: ['(^|[\s/=<])(~|\$HOME|/root|/home/[^/\s]+)?/?\.ssh/id_[a-z0-9_]+(\s|$)', '(^|[\s/])\.aws/credentials\b',
                       '(^|[\s/])\.(netrc|pgpass|git-credentials)\b', '(^|[\s/])\.env(\s|$)', '(^|\s)/etc/shadow\b',
                       '(^|[\s/])\.docker/config\.json\b', '(^|[\s/])\.kube/config\b']
      - content: ['(?i)\b(print|puts|console\.log|logger\.\w+|logging\.\w+|log\.\w+)\s*\([^)\n]*\b(os\.environ|getenv|process\.env)\b[^)\n]*(secret|password|passwd|api_?key|token|credential)']

  - id: protect_constitution
    rule: "Never modify this constitutional file"
    match:
      - paths: ["CONSTITUTION.yaml", "CONSTITUTION.yaml.sig", ".crucible/keys", ".crucible/keys/**", "**/.crucible/keys", "**/.crucible/keys/**"]
      - commands: ["crucible constitution sign", "crucible keys"]

  - id: keep_audit_trail
    rule: "Always maintain audit trail of modifications"
    match:
      - paths: [".crucible", "**/.crucible", ".crucible/crucible.db*", "**/.crucible/crucible.db*"]
      - commands: [sqlite3, litecli]
        command_text: ['crucible\.db']
      - content: ['(?i)\b(delete\s+from|drop\s+table|update)\s+events\b']

  - id: sandbox_code_execution
    rule: "Always sandbox code execution"
    match:
      - actions: [code_execution]
        sandboxed: false
      - actions: [command]
        sandboxed: false
        executes_code: true

  - id: approve_push_to_main
    rule: "Require human approval for git push to main"
    effect: require_approval
    match:
      - actions: [git_push]
        branches: [main, master, "refs/heads/main", "refs/heads/master", "HEAD:main", "HEAD:master"]
      - commands: ["git push"]

  - id: no_obfuscated_execution
    rule: "Never run code hidden from review: exec/eval of decoded data, dynamic imports of os/subprocess"
    match:
      - checks: [obfuscated_execution]

supervised_operations:
  file_deletion:
    rule: "Deleting files outside the agent workspace needs a human"
    scope: "outside agent workspace"
    approval_method: interactive_prompt
    timeout: 300
    match:
      - actions: [file_delete]
        in_workspace: false
      - commands: [rm, rmdir, unlink, shred, "find -delete", "git clean"]
        in_workspace: false

  service_management:
    rule: "Stopping, restarting or removing a service needs a human"
    approval_method: slack_notification
    required_approvers: 1
    match:
      - actions: [service]
        operations: [stop, restart, remove, disable, kill, mask, reload]
      - commands: ["systemctl stop", "systemctl restart", "systemctl disable", "systemctl mask", "systemctl kill", "systemctl reload",
                   "service stop", "service restart", "docker stop", "docker restart", "docker rm", "docker kill", "docker compose down",
                   "docker-compose down", "docker-compose restart", "podman stop", "podman rm", "kubectl delete", kill, killall, pkill,
                   shutdown, reboot, halt, poweroff]

  system_configuration:
    rule: "Changes to system configuration need a human"
    scope: "/etc/nixos/configuration.nix and the rest of the system outside the workspace"
    approval_method: git_pr_review
    required_approvers: 1
    match:
      - paths: ["/etc/**", "/usr/**", "/boot/**", "/lib/**", "/lib64/**", "/bin/**", "/sbin/**", "/opt/**", "/var/lib/**", "~/.ssh/**",
                "~/.config/**", "~/.bashrc", "~/.profile"]
      - commands: [nixos-rebuild, nix-env, "apt install", "apt remove", "apt purge", "apt-get install", "apt-get remove", "apt-get purge",
                   dpkg, "dnf install", "dnf remove", "yum install", "yum remove", "pacman -S", "pacman -R", snap, "systemctl enable",
                   "systemctl edit", "systemctl daemon-reload", crontab, useradd, userdel, usermod, groupadd, chsh, timedatectl,
                   hostnamectl, mount, umount, modprobe, insmod, rmmod, update-alternatives, "mkfs*", fdisk, parted, swapon, swapoff]

  database_migrations:
    rule: "Database migrations need a human to review a dry run"
    approval_method: dry_run_review
    auto_approve_threshold: "zero_data_loss"
    match:
      - actions: [database]
        operations: ["migrat*", "alter*", "create*", "rename*", "schema*"]
      - actions: [database]
        content: ['(?i)\b(alter|create|rename)\s+(table|database|schema|index|view)\b']
      - commands: ["alembic upgrade", "alembic downgrade", "flyway migrate", "rails db:migrate", "rake db:migrate", "python* manage.py migrate",
                   "prisma migrate", "knex migrate*", "sqitch deploy", "liquibase update", "goose up", "migrate up"]

autonomous_operations:
  candidate_evaluation:
    rule: "A change to editable workspace files may be evaluated in the sandbox: that is how its tests are run"
    scope: "agent workspace, inside the sandbox"
    match:
      - actions: [patch]
        in_workspace: true
        sandboxed: true
        kinds: [code, prompt, policy, routing, config, tools]

  code_modifications:
    rule: "Code changes inside the agent workspace, once the tests pass and the change is committed"
    scope: "agent workspace"
    requires: ["tests_pass|test_suite_pass", "git_commit|recorded"]
    rollback: automatic_on_failure
    match:
      - actions: [patch]
        in_workspace: true

  config_updates:
    rule: "Updates to *.yaml, *.json and *.toml files, outside the forbidden ones"
    validation: schema_check
    match:
      - actions: [config_update, patch]
        paths: ["*.yaml", "*.yml", "*.json", "*.toml"]
        except_paths: ["/etc/nixos/*", "~/.ssh/*", "**/.ssh/**", "CONSTITUTION.yaml", ".crucible/**", "**/.crucible/**"]

  feature_additions:
    rule: "New features, with documentation, tests and a benchmark improvement"
    requires: [documentation, tests, benchmark_improvement]
    match:
      - actions: [patch]
        purposes: [feature]
        in_workspace: true

  bug_fixes:
    rule: "Bug fixes with test coverage and no regression"
    auto_deploy: true
    requires: ["test_coverage|tests_pass", no_regression]
    match:
      - actions: [patch]
        purposes: [bug_fix]
        in_workspace: true

  mcp_tool_creation:
    rule: "New tools, tested in the sandbox and with type annotations"
    auto_deploy: true
    requires: [sandboxed_test, type_annotations]
    match:
      - actions: [patch]
        kinds: [tools]
        in_workspace: true

  sandboxed_execution:
    rule: "Code runs freely inside the sandbox (the other side of: always sandbox code execution)"
    match:
      - actions: [code_execution, command]
        sandboxed: true

  research_and_analysis:
    rule: "Research and analysis: searching, reading files, querying databases"
    unlimited: true
    match:
      - actions: [research, web_search, file_read, database_query]
      - actions: [database]
        operations: [select, query, read, explain, show, describe, count]
      - actions: [command]
        commands: [ls, cat, head, tail, grep, egrep, fgrep, rg, ag, wc, less, more, file, stat, du, df, pwd, echo, printf, which,
                   whoami, id, date, uname, hostname, tree, sort, uniq, cut, jq, yq, diff, cmp, true, false, test, basename,
                   dirname, realpath, readlink, md5sum, sha256sum, "git status", "git log", "git diff", "git show", "git branch",
                   "git rev-parse", "git blame", "git grep", "git ls-files", "crucible status", "crucible archive", "crucible show",
                   "crucible report", "crucible audit", "crucible ledger verify", "crucible constitution verify",
                   "crucible constitution explain", "crucible constitution check"]

escalation_policy:
  default_action: request_approval     # what nothing matched means: request_approval | deny
  fallback_on_timeout: abort           # a request nobody answers in time: abort | deny

audit_trail:
  enabled: true                        # always: every decision, approval, stop and resume is a ledger event
  storage: ".crucible/crucible.db"     # the hash-chained ledger
  retention_days: 365
  log_level: INFO
  alert_on:
    - constitutional_violation_attempt
    - objective_hacking_detected
    - sandbox_escape_attempt
    - repeated_failures
"""#
}
