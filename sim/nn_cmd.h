// The compiler's subcommands of the ortigia CLI.
#ifndef ORTIGIA_NN_CMD_H
#define ORTIGIA_NN_CMD_H

/* ortigia compile model.onnx -o DIR [...]; returns the exit status. */
int ort_cmd_compile(int argc, char **argv);
/* ortigia test-network DIR [--reference] [...]; returns the exit status. */
int ort_cmd_test_network(int argc, char **argv);

#endif
