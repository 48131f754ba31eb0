"""The tables revision 0001 creates, in three parts (a revision module stays small)."""
