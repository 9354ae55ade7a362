/* SPDX-License-Identifier: Apache-2.0 */
/* (being written) */
#include "pack.h"
int cmd_read_reply(int argc, char **argv) { (void)argc; (void)argv; return AL_EUSAGE; }
