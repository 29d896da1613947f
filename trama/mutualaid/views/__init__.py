"""The pages of volunteering and mutual aid: the public form, the coordinators' and lab managers'
volunteer pages, the volunteer's own area, mutual aid, and the time bank."""
