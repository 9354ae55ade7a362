/* SPDX-License-Identifier: Apache-2.0 */
/* (being written) */
#include "vault.h"
int cmd_ack(int argc, char **argv) { (void)argc; (void)argv; return AL_EUSAGE; }
int cmd_triage(int argc, char **argv) { (void)argc; (void)argv; return AL_EUSAGE; }
int cmd_status(int argc, char **argv) { (void)argc; (void)argv; return AL_EUSAGE; }
int cmd_note(int argc, char **argv) { (void)argc; (void)argv; return AL_EUSAGE; }
