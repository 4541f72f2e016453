// Package proxy puts the request path together: it builds every route's
// pipeline from the manifest through the stage builders in their one
// order (order.go), opens every bind with an engine.Server under it, and
// dispatches each exchange: route lookup, the route's pipeline, the
// no-route fallbacks, the observer and the debug log. It calls the work
// stages asked for at start and at drain.
package proxy
