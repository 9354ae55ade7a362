/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The CVSS v4.0 tables (FIRST, BSD-2-Clause; see al_cvss40_tables.c, made
 * by tools/gen-cvss40-tables.py), shared by the generated file and the
 * scorer in al_cvss.c.  Not part of the formats API.
 */
#ifndef AL_CVSS40_TABLES_H
#define AL_CVSS40_TABLES_H

extern const signed char al_cvss40_lookup[3][2][3][3][3][2];
extern const signed char al_cvss40_max_sev_eq1[3];
extern const signed char al_cvss40_max_sev_eq2[2];
extern const signed char al_cvss40_max_sev_eq3eq6[3][2];
extern const signed char al_cvss40_max_sev_eq4[3];
extern const unsigned char al_cvss40_max_n_eq1[3];
extern const unsigned char al_cvss40_max_n_eq2[2];
extern const unsigned char al_cvss40_max_n_eq3eq6[3][2];
extern const unsigned char al_cvss40_max_n_eq4[3];
extern const signed char al_cvss40_max_eq1[3][5][14];
extern const signed char al_cvss40_max_eq2[2][5][14];
extern const signed char al_cvss40_max_eq3eq6[3][2][5][14];
extern const signed char al_cvss40_max_eq4[3][5][14];

#endif
