"""OCR: the OCRmyPDF run and its options, programs it needs, and text out of the result."""
