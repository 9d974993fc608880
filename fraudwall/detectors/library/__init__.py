"""The detector library: one module per detector, each registered by its class definition."""
