/**
 * The Flotilla sample shop.
 */
package dev.flotilla.sample;
