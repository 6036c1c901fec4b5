/**
 * The whole shop in one JVM: {@link dev.flotilla.sample.shop.ShopMain}.
 */
package dev.flotilla.sample.shop;
