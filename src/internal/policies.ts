/**
 * The handshake between the policy decision point (`metis-app/auth`) and the router: the PDP
 * records which route's policies it evaluated for an invocation, and the router refuses to run a
 * route that declares policies no PDP evaluated (a PDP stacked before the router's middleware, or
 * none at all), instead of running it unprotected. No dependencies, so that the router loads
 * nothing of the auth part.
 */

const evaluated = new WeakMap<object, object>()

/** Records that the policies of `route` were evaluated (and allowed) for this invocation. */
export const markPoliciesEvaluated = (context: object, route: object): void => {
  evaluated.set(context, route)
}

/** True when a PDP evaluated the policies of exactly this route for this invocation. */
export const policiesEvaluated = (context: object, route: object): boolean =>
  evaluated.get(context) === route
