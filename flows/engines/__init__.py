"""Translation engines: Argos packages run with CTranslate2, Apertium, and the Argos
package store."""
