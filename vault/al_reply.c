/* SPDX-License-Identifier: Apache-2.0 */
/* (being written) */
typedef int al_stub_al_reply;
