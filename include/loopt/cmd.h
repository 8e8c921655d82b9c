// cmd.h — the subcommands; each lives in src/cmd/<name>.c and returns the exit code.
#ifndef LOOPT_CMD_H
#define LOOPT_CMD_H

int cmd_gen(int argc, char **argv);        // loopt gen sudoku|maze ...
int cmd_check(int argc, char **argv);      // loopt check FILE
int cmd_render(int argc, char **argv);     // loopt render FILE --out x.png
int cmd_gradcheck(int argc, char **argv);  // loopt gradcheck CONFIG
int cmd_config(int argc, char **argv);     // loopt config [CONFIG] [--set k=v]: print resolved config
int cmd_train(int argc, char **argv);       // loopt train CONFIG
int cmd_export(int argc, char **argv);      // loopt export CKPT OUT: weights-only checkpoint
int cmd_solve(int argc, char **argv);       // loopt solve [--model CKPT] FILE: print the model's answers
int cmd_eval(int argc, char **argv);        // loopt eval --model CKPT --data FILE: accuracy per --iters (CSV)
int cmd_info(int argc, char **argv);        // loopt info CKPT: describe a checkpoint
int cmd_plot(int argc, char **argv);        // loopt plot CSV --out x.png: line chart of a CSV (eval curves)
int cmd_bench(int argc, char **argv);       // loopt bench CONFIG: speed (vs the sgemm peak) and memory
int cmd_version(int argc, char **argv);     // loopt version: version, git commit, OpenBLAS core, flags

#endif
