// Worker: connects to a coordinator, renders leased frames through a `FrameRenderer` and
// streams the encoded results back (docs/PROTOCOL.md).
