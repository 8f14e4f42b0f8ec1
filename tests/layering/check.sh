#!/usr/bin/env bash
# The layering the build enforces for the project's own headers (each
# library sees only the headers of those it links), checked here for the
# system libraries too, whose headers every folder could reach: LMDB only
# in store/ and daemon/, libevent only in daemon/, and so on.  Prints each
# wrong include and exits 1 if there is one.
set -u
cd "$(dirname "$0")/../.."
allowed() {   # folder -> the system headers (regex) it may include
	case $1 in
	base) echo '' ;;
	proto|model) echo 'msgpack' ;;
	matcher) echo 'msgpack|coin/' ;;
	store) echo 'msgpack|lmdb' ;;
	csv) echo 'msgpack|csv|iconv|uchardet/' ;;
	config) echo 'msgpack|ini|openssl/' ;;
	daemon) echo 'msgpack|lmdb|event2/|jansson' ;;
	cli) echo 'msgpack|xlsxwriter' ;;
	esac
}
libs='msgpack|lmdb|event2/|jansson|ini|openssl/|csv|iconv|glpk|coin/|xlsxwriter|uchardet/'
bad=0
for dir in base proto model store matcher csv config daemon cli; do
	ok=$(allowed "$dir")
	while IFS=: read -r file line inc; do
		h=$(sed -E 's/.*<([^>]+)>.*/\1/' <<<"$inc")
		if grep -Eq "^($libs)" <<<"$h" &&
		    { [ -z "$ok" ] || ! grep -Eq "^($ok)" <<<"$h"; }; then
			echo "$file:$line: $dir/ may not include <$h>"
			bad=1
		fi
	done < <(grep -nE '^#include <' "$dir"/*.[ch] /dev/null)
done
[ $bad -eq 0 ] && echo "layering: every folder includes only what its layer may"
exit $bad
