/* SPDX-License-Identifier: Apache-2.0 */
/* (being written) */
#include "vault.h"
int cmd_due(int argc, char **argv) { (void)argc; (void)argv; return AL_EUSAGE; }
int cmd_agenda(int argc, char **argv) { (void)argc; (void)argv; return AL_EUSAGE; }
int cmd_sla(int argc, char **argv) { (void)argc; (void)argv; return AL_EUSAGE; }
