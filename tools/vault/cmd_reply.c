/* SPDX-License-Identifier: Apache-2.0 */
/* (being written) */
#include "vault.h"
int cmd_reply(int argc, char **argv) { (void)argc; (void)argv; return AL_EUSAGE; }
