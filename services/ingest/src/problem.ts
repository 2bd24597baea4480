/** The ingest edge answers with the problems every vocflow HTTP service shares. */
export { Problem, type ProblemCode, problemBody } from '@vocflow/http';
