#!/bin/sh
# ortigia power-fit on bad CSV files: exit 2, a message naming the line and
# the column. usage: power_fit_errors.sh ORTIGIA FWDIR WORKDIR
ORT=$1 FW=$(cd "$2" && pwd) W=$3
mkdir -p "$W"
fails=0
check() { # name, expected message fragment, csv text
    printf '%b' "$3" > "$W/$1.csv"
    out=$("$ORT" power-fit "$W/$1.csv" -o "$W/$1.json" 2>&1); rc=$?
    if [ $rc -ne 2 ] || ! printf '%s' "$out" | grep -qF -- "$2"; then
        echo "FAIL $1: rc=$rc, want 2 and '$2'; got: $out"; fails=$((fails + 1))
    else
        echo "ok $1: $out"
    fi
}
E=$FW/fit_alu.elf
check no_header "$W/no_header.csv:1: column '$E': unknown column" "$E,,1e-5\n"
check no_program "no_program.csv:1: column 'program': missing" "set,energy_j\n,1e-5\n"
check no_measure "no_measure.csv:1: column 'energy_j': missing" "program,set\n$E,\n"
check not_number "not_number.csv:2: column 'energy_j': '12mJ' is not a number" "program,set,energy_j\n$E,,12mJ\n"
check missing_elf "missing_elf.csv:3: column 'program': '/nonexistent.elf': cannot open" "program,set,energy_j\n$E,,1e-5\n/nonexistent.elf,,1e-5\n"
check both "both.csv:2: column 'energy_j': both energy_j and power_w" "program,set,energy_j,power_w\n$E,,1e-5,0.1\n"
check neither "neither.csv:2: column 'energy_j': no measurement" "program,set,energy_j,power_w\n$E,,,\n"
check bad_key "bad_key.csv:2: column 'set': 'soc.opq=0.65V'" "program,set,energy_j\n$E,soc.opq=0.65V,1e-5\n"
check bad_opp "bad_opp.csv:2: column 'set': 'soc.opp' = '0.9V' is not an operating point" "program,set,energy_j\n$E,soc.opp=0.9V,1e-5\n"
check fields "fields.csv:2: 2 fields, the header has 3" "program,set,energy_j\n$E,1e-5\n"
check negative "negative.csv:2: column 'power_w': '-1' must be > 0" "program,set,power_w\n$E,,-1\n"
[ $fails -eq 0 ] && echo PASS
exit $fails
