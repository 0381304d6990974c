# The admin user, run by the chart's create-user Job as: bash -c "<this>" -- <user name> <e-mail>.
# The password comes from the mounted Secret, never from an argument or a chart value: the CLI reads
# it from its prompt (stdin here), so it is in no process's command line (/proc/<pid>/cmdline).
# Running it again keeps an existing user as it is (the CLI reports it and exits 0).
set -eu
password_file="${ADMIN_PASSWORD_FILE:-/opt/platform/admin/password}"
IFS= read -r password < "$password_file" || [ -n "$password" ]
# printf is a shell builtin: the password reaches the pipe without an argv of its own.
printf '%s\n%s\n' "$password" "$password" | airflow users create --role Admin --username "$1" --email "$2" --firstname Platform --lastname Admin
