/** The route of a request that no route matched. */
export const UNMATCHED = '<unmatched>'
/** Where routes, statements and events beyond their cap are counted. */
export const OTHER = '<other>'
