/**
 * RFC 9457 problem details: the {@link dev.flotilla.core.problem.Problem} body every failure reaching an HTTP caller
 * has, and the exceptions a service throws to send one.
 */
package dev.flotilla.core.problem;
