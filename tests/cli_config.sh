#!/bin/sh
# cli_config.sh — end-to-end checks of `loopt config`: the shipped configs load, the printed
# config reads back to the same thing, --set works, and every bad input exits 2 with a
# message naming the file and the key path (or line:column for malformed JSON).
. tests/lib_cli.sh

expect_exit 0 config_help "$LOOPT" config --help
expect_grep 'usage: loopt config' config_help_text
expect_exit 2 config_bad_option "$LOOPT" config --frobnicate
expect_grep "unknown option '--frobnicate'" config_bad_option_msg
expect_exit 2 config_two_files "$LOOPT" config configs/sudoku.json configs/maze.json
expect_exit 2 config_maze_size_min_range "$LOOPT" config configs/maze.json --set data.maze_size_min=4
expect_grep 'data.maze_size_min: expected 0 (off) or a side in \[5, maze_size = 14\], got 4' config_maze_size_min_range_msg
expect_exit 2 config_maze_size_min_path "$LOOPT" config configs/maze.json --set data.maze_size_min=5 --set data.maze_min_path=20
expect_grep 'data.maze_min_path: no 5x5 maze (data.maze_size_min) has a shortest path of 20 steps' config_maze_size_min_path_msg
expect_exit 2 config_maze_min_path_frac_alone "$LOOPT" config configs/maze.json --set data.maze_min_path_frac=0.5
expect_grep 'data.maze_min_path_frac: holds a share of the mazes to data.maze_min_path, which is 0' config_maze_min_path_frac_alone_msg
expect_exit 2 config_maze_cycle_odds_range "$LOOPT" config configs/maze.json --set data.maze_cycle_odds=0
expect_grep 'data.maze_cycle_odds' config_maze_cycle_odds_range_msg
expect_exit 2 config_maze_min_path_frac_range "$LOOPT" config configs/maze.json --set data.maze_min_path_frac=1.5
expect_grep 'data.maze_min_path_frac: expected a number in \[0, 1\], got 1.5' config_maze_min_path_frac_range_msg

expect_exit 2 config_hints_task "$LOOPT" config configs/sudoku.json --set train.hints=0.5
expect_grep 'configs/sudoku.json (with --set): train.hints: task "sudoku" has no hint targets' config_hints_task_msg
expect_exit 2 config_hints_range "$LOOPT" config configs/maze.json --set train.hints=-1
expect_grep 'train.hints' config_hints_range_msg

expect_exit 0 config_defaults "$LOOPT" config
expect_grep '"d_model": 128' config_defaults_d_model

# Every shipped config is valid, and its printed form is a fixed point (print -> load -> print).
for f in configs/*.json; do
    n=$(basename "$f" .json)
    expect_exit 0 "config_load_$n" "$LOOPT" config "$f"
    "$LOOPT" config "$f" >"$T/a.json" 2>/dev/null
    "$LOOPT" config "$T/a.json" >"$T/b.json" 2>/dev/null
    if [ -s "$T/a.json" ] && cmp -s "$T/a.json" "$T/b.json"; then echo "ok config_round_trip_$n"
    else echo "FAIL config_round_trip_$n"; fi
done
expect_exit 0 config_stdin sh -c "\"$LOOPT\" config configs/maze.json | \"$LOOPT\" config -"
expect_grep '"mixer": "local"' config_stdin_maze

# --set: nested keys, bare strings, JSON objects, later wins.
expect_exit 0 config_set "$LOOPT" config configs/sudoku.json --set train.deep_supervision=false --set recursion.scheme=trm \
    --set recursion.trm.n=2 --set 'halting={"kind": "bce", "threshold": 0.5}' \
    --set recursion.loops=4 --set=recursion.loops=16
expect_grep '"scheme": "trm"' config_set_bare_string
expect_grep '"n": 2' config_set_nested
expect_grep '"kind": "bce"' config_set_object
expect_grep '"loops": 16' config_set_last_wins

# Errors: exit 2, `loopt: <source>: <key.path>: ...`.
expect_exit 2 config_set_unknown "$LOOPT" config --set model.d_modl=3
expect_grep "loopt: --set: model.d_modl: unknown key" config_set_unknown_msg
expect_exit 2 config_set_no_eq "$LOOPT" config --set model.d_model
expect_grep "expected key.path=value" config_set_no_eq_msg
expect_exit 2 config_set_type "$LOOPT" config --set train.lr=fast
expect_grep "loopt: --set: train.lr: expected a number, got a string" config_set_type_msg
expect_exit 2 config_set_int "$LOOPT" config --set recursion.loops=3.5
expect_grep "recursion.loops: expected an integer, got 3.5" config_set_int_msg
expect_exit 2 config_multiple "$LOOPT" config --set model.d_model=130
expect_grep "model.d_model: expected a positive multiple of n_heads, got 130" config_multiple_msg

printf '{\n  "model": {\n    "foo": 1\n  }\n}\n' >"$T/unknown.json"
expect_exit 2 config_file_unknown "$LOOPT" config "$T/unknown.json"
expect_grep "unknown.json: model.foo: unknown key" config_file_unknown_msg
printf '{"train": {"lr": "0.1"}}' >"$T/type.json"
expect_exit 2 config_file_type "$LOOPT" config "$T/type.json"
expect_grep "type.json: train.lr: expected a number, got a string" config_file_type_msg
printf '{"halting": {"threshold": 1.5}}' >"$T/range.json"
expect_exit 2 config_file_range "$LOOPT" config "$T/range.json"
expect_grep "range.json: halting.threshold: expected a number in (0, 1\], got 1.5" config_file_range_msg
printf '{\n  "model": {\n    "d_model": 128,\n    "n_heads" 4\n  }\n}\n' >"$T/bad.json"
expect_exit 2 config_malformed "$LOOPT" config "$T/bad.json"
expect_grep "bad.json:4:15: malformed JSON near '4'" config_malformed_line
printf '{"model": {' >"$T/trunc.json"
expect_exit 2 config_truncated "$LOOPT" config "$T/trunc.json"
expect_grep "trunc.json:1:12: malformed JSON" config_truncated_msg
: >"$T/empty.json"
expect_exit 2 config_empty "$LOOPT" config "$T/empty.json"
expect_grep "empty.json: empty config" config_empty_msg
printf '[1, 2]' >"$T/array.json"
expect_exit 2 config_array "$LOOPT" config "$T/array.json"
expect_grep "expected a JSON object at the top level, got an array" config_array_msg
printf '{"model": {"d_model": 64}}\0junk' >"$T/nul.json"
expect_exit 2 config_nul "$LOOPT" config "$T/nul.json"
expect_grep "NUL byte" config_nul_msg
expect_exit 2 config_missing "$LOOPT" config "$T/does-not-exist.json"
expect_grep "does-not-exist.json" config_missing_msg
expect_exit 2 config_directory "$LOOPT" config "$T"
expect_grep "is a directory" config_directory_msg
head -c 3000 /dev/urandom >"$T/random.json"
expect_exit 2 config_binary_garbage "$LOOPT" config "$T/random.json"
# valid JSON nested 100,000 deep: named as too deep (the reader's limit), not "malformed"
{ printf '{"model": '; head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']'; printf '}'; } >"$T/deep.json"
expect_exit 2 config_deep_json "$LOOPT" config "$T/deep.json"
expect_grep "deep.json:1:1010: JSON nested too deeply: more than 1000 levels" config_deep_json_msg
if grep -q malformed "$T/out"; then echo "FAIL config_deep_json_not_malformed"; else echo "ok config_deep_json_not_malformed"; fi
# just as deep but broken before the limit: still "malformed", at the break
{ printf '{"model": [[['; printf '1,,'; head -c 5000 /dev/zero | tr '\0' '['; printf '}'; } >"$T/deep-bad.json"
expect_exit 2 config_deep_json_broken_early "$LOOPT" config "$T/deep-bad.json"
expect_grep "deep-bad.json:1:16: malformed JSON" config_deep_json_broken_early_msg

echo done
