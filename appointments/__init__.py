"""Appointments at the contact points: free slots, booking, reminders."""
