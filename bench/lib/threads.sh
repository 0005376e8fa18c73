# Per-thread CPU of a JVM, for the benches (sourced). Needs tck=$(getconf CLK_TCK).

# threads PID: "name<TAB>ticks" per thread name (a pool's numbers dropped: its threads summed)
threads() {
  for t in /proc/"$1"/task/*; do
    # (a thread can end between the listing and the reading)
    n=$(tr ' ' '_' 2>/dev/null <"$t/comm" | sed 's/[-#_]*[0-9]*$//') && st=$(cat "$t/stat" 2>/dev/null) || continue
    sed 's/.*) //' <<<"$st" | awk -v n="$n" '{print n"\t"$12+$13}'
  done | awk -F'\t' '{a[$1]+=$2} END {for (k in a) print k"\t"a[k]}' | sort
}

# thread_table BEFORE AFTER SECONDS: a markdown table of % of a core per thread name, 0.01 and over
thread_table() {
  echo "| thread(s) | % of a core |"
  echo "|-----------|------------:|"
  join -t "$(printf '\t')" "$1" "$2" |
    awk -F'\t' -v k="$tck" -v s="$3" '{ d = ($3 - $2) / k / s * 100; if (d >= 0.01) printf "| %s | %.2f |\n", $1, d }' |
    sort -t'|' -k3 -nr
}
