"""RQ worker side: job functions (thin) and the tracking that mirrors them into the jobs table."""
