/** The browser build's `LatestByKey`: `Map` itself (its churn only costs at thousands of writes a second). */
export const LatestByKey = Map;
