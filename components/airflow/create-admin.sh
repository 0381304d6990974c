# The admin user, run by the chart's create-user Job as: bash -c "<this>" -- <user name> <e-mail>.
# The password comes from the mounted Secret, never from an argument or a chart value. Running it
# again keeps an existing user as it is (the CLI reports it and exits 0).
set -eu
password_file="${ADMIN_PASSWORD_FILE:-/opt/platform/admin/password}"
exec airflow users create --role Admin --username "$1" --email "$2" --firstname Platform --lastname Admin --password "$(cat "$password_file")"
