// The C library settings the `lexflow` command starts node with. glibc reads
// them only at process start, so they sit in the command's first line
// (main.ts) and in `npm start` (package.json), which test/cli-process-env.test.ts
// keeps equal to this table; the benches that time lexflow as a user runs it
// take it from here (bench/common.ts). Other C libraries ignore them.
//
// - MALLOC_MMAP_THRESHOLD_=131072: glibc's starting threshold, held fixed, so an
//   ended thread's arena does not stay resident under the next stage
//   (pipeline/memory.ts says why).
// - GLIBC_TUNABLES=glibc.malloc.hugetlb=1: the blocks malloc maps (every large
//   typed array) are advised to the kernel as transparent huge pages
//   (madvise MADV_HUGEPAGE), as KenLM's util/mmap.cc advises its own large
//   blocks: a 2 MB page is one fault where 4 kB pages are 512, and lm-ngram
//   allocates gigabytes of fresh arrays on a 3M-token corpus (docs/BENCHMARKS.md,
//   "lexflow is timed as the `lexflow` command starts it"). A kernel without
//   transparent huge pages, or set to `never`, ignores the advice.

export const LEXFLOW_PROCESS_ENV: Readonly<Record<string, string>> = {
  MALLOC_MMAP_THRESHOLD_: '131072',
  GLIBC_TUNABLES: 'glibc.malloc.hugetlb=1',
};

/** `NAME=value ...`, as the command line and `npm start` spell them. */
export const processEnvAssignments = (): string => Object.entries(LEXFLOW_PROCESS_ENV).map(([k, v]) => `${k}=${v}`).join(' ');
